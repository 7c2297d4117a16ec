"""Loading data formats that can carry code."""
import marshal
import pickle
import shelve

import cPickle
import dill
import joblib
import numpy as np
import torch
import yaml


def load_everything(blob, f, path):
    pickle.loads(blob)  # expect: GW-DESER-001
    cPickle.load(f)  # expect: GW-DESER-001
    pickle.Unpickler(f).load()  # expect: GW-DESER-001
    dill.loads(blob)  # expect: GW-DESER-001
    joblib.load(path)  # expect: GW-DESER-001
    shelve.open(path)  # expect: GW-DESER-001
    marshal.loads(blob)  # expect: GW-DESER-002
    yaml.load(f)  # expect: GW-DESER-003
    yaml.load(f, Loader=yaml.Loader)  # expect: GW-DESER-003
    yaml.load(f, Loader=yaml.SafeLoader)
    yaml.safe_load(f)
    torch.load(path)  # expect: GW-DESER-004
    torch.load(path, weights_only=True)
    np.load(path, allow_pickle=True)  # expect: GW-DESER-005
    np.load(path)
