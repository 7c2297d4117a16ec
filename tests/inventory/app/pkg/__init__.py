from gymnasium.envs.registration import register

register(id="Grid-v0", entry_point="pkg.grid:GridEnv", max_episode_steps=50)
