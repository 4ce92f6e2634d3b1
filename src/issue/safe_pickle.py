"""Loading the build cache without trusting it.

The cache under build/.cache is pickled for speed, but an issue folder can come from someone else with a build/
inside it, and a crafted pickle runs code when loaded. This unpickler follows the "restricting globals" recipe of
the pickle documentation: it only rebuilds classes defined by `issue` itself and plain built-in containers, and
refuses every function, so loading a hostile cache file fails (and the cache is treated as empty) instead of
running anything.
"""
from __future__ import annotations

import io
import pickle
from typing import IO, Any

_BUILTINS = {"dict", "list", "tuple", "set", "frozenset", "str", "bytes", "bytearray", "int", "float", "bool",
             "complex", "slice", "range", "NoneType"}
_ALLOWED_MODULES = {"collections": {"OrderedDict", "defaultdict", "Counter", "deque"},
                    "pathlib": {"Path", "PosixPath", "PurePosixPath", "WindowsPath", "PureWindowsPath"},
                    "datetime": {"date", "datetime", "time", "timedelta", "timezone"}}


class _Restricted(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "builtins" and name in _BUILTINS:
            return super().find_class(module, name)
        if name in _ALLOWED_MODULES.get(module, ()):
            return super().find_class(module, name)
        if module == "issue" or module.startswith("issue."):
            obj = super().find_class(module, name)
            if isinstance(obj, type):  # a class of ours (records, enums): constructing one runs no foreign code
                return obj
        raise pickle.UnpicklingError(f"the cache names {module}.{name}, which is not allowed")


def load(fh: IO[bytes]) -> Any:
    return _Restricted(fh).load()


def loads(data: bytes) -> Any:
    return _Restricted(io.BytesIO(data)).load()
