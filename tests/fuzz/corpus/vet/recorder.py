"""A video recorder behind render: ffmpeg through subprocess is normal."""
import os
import shutil
import subprocess
import tempfile

import gymnasium as gym


class RecordedEnv(gym.Env):
    def __init__(self, video_dir="videos"):
        self.video_dir = video_dir
        self.frames_dir = tempfile.mkdtemp()
        self.frame = 0

    def reset(self, seed=None, options=None):
        self.frame = 0
        return 0, {}

    def step(self, action):
        return 0, 0.0, False, False, {}

    def render(self):
        self.frame += 1
        if self.frame % 100 == 0:
            self._encode()

    def _encode(self):
        cmd = ["ffmpeg", "-y", "-i", os.path.join(self.frames_dir, "%05d.png"),
               os.path.join(self.video_dir, "out.mp4")]
        subprocess.run(cmd, check=True, env=os.environ.copy())  # expect: GW-PROC-002@low/render

    def close(self):
        shutil.rmtree(self.frames_dir, ignore_errors=True)  # expect: GW-FS-003@low/close
