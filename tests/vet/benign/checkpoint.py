"""Checkpoints with pickle behind save/load helpers that nothing calls."""
import pickle

import torch
import yaml


class Trainer:
    def __init__(self, model):
        self.model = model

    def save(self, path):
        with open(path, "wb") as f:
            pickle.dump(self.model, f)

    def load(self, path):
        with open(path, "rb") as f:
            self.model = pickle.load(f)  # expect: GW-DESER-001@low/function

    def load_weights(self, path):
        self.model.load_state_dict(torch.load(path, weights_only=True))

    def load_config(self, path):
        with open(path) as f:
            return yaml.safe_load(f)
