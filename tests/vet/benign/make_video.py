"""A helper script: its main block runs only when started by hand."""
import subprocess
import sys


def main(argv):
    subprocess.run(["ffmpeg", "-i", argv[1], argv[2]], check=True)  # expect: GW-PROC-002@low/function


if __name__ == "__main__":
    main(sys.argv)
