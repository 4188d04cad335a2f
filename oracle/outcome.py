"""The outcome record of one (case, column) and its two encodings.

Wire encoding (worker -> runner): arrays as base64 `.npy` bytes, bit-exact.
Results encoding (results.json): arrays as nested lists with "nan", "inf", "-inf" as
strings so the file is strict JSON; -0.0 survives as -0.0.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

# resource_exhausted: out of memory, whatever the framework raised; like crash and timeout, never a semantic finding
Status = Literal["ok", "error", "unsupported", "crash", "timeout", "unavailable", "resource_exhausted"]
STATUSES: tuple[str, ...] = ("ok", "error", "unsupported", "crash", "timeout", "unavailable", "resource_exhausted")


def canonical_dtype(array: np.ndarray) -> str:
    """'float32'-style names; bfloat16 arrives from ml_dtypes and prints as 'bfloat16'."""
    return str(array.dtype)


@dataclass
class Tensor:
    """One observed output or gradient. `values is None` means the framework returned None."""

    values: np.ndarray | None

    @property
    def shape(self) -> list[int] | None:
        return None if self.values is None else list(self.values.shape)

    @property
    def dtype(self) -> str | None:
        return None if self.values is None else canonical_dtype(self.values)

    def _float64(self) -> np.ndarray:
        assert self.values is not None
        if self.values.dtype.kind == "c":  # NaN or inf in either part counts
            return self.values.astype(np.complex128)
        return self.values.astype(np.float64) if self.values.dtype.kind == "f" or self.dtype == "bfloat16" else self.values

    @property
    def has_nan(self) -> bool:
        return self.values is not None and self.values.dtype.kind != "b" and bool(np.isnan(self._float64()).any())

    @property
    def has_inf(self) -> bool:
        return self.values is not None and self.values.dtype.kind != "b" and bool(np.isinf(self._float64()).any())

    def to_wire(self) -> dict[str, Any]:
        return {"none": True} if self.values is None else {"npy": encode_array(self.values)}

    @staticmethod
    def from_wire(data: dict[str, Any]) -> Tensor:
        if data.get("none"):
            return Tensor(None)
        return Tensor(decode_array(data["npy"]))

    def to_results(self) -> dict[str, Any]:
        if self.values is None:
            return {"shape": None, "dtype": None, "values": None, "nan": False, "inf": False}
        return {"shape": self.shape, "dtype": self.dtype, "values": _listify(self.values),
                "nan": self.has_nan, "inf": self.has_inf}

    @staticmethod
    def from_results(data: Mapping[str, Any]) -> Tensor:
        if data.get("shape") is None:
            return Tensor(None)
        from oracle.request import numpy_dtype

        dtype = numpy_dtype(data["dtype"])
        raw = _unlistify(data["values"])
        if dtype.kind == "c":  # [re, im] pairs; parts set one by one so -0.0 and NaN payloads survive
            pairs = np.asarray(raw, dtype=np.float64).reshape([*data["shape"], 2])
            out = np.empty(data["shape"], dtype=dtype)
            out.real, out.imag = pairs[..., 0], pairs[..., 1]
            return Tensor(out)
        return Tensor(np.asarray(raw, dtype=np.float64 if dtype.kind == "f" or data["dtype"] == "bfloat16" else dtype)
                      .astype(dtype).reshape(data["shape"]))


_BF16 = "bfloat16:"  # .npy has no bfloat16: its bits travel as uint16 behind this prefix


def encode_array(array: np.ndarray) -> str:
    prefix = ""
    if str(array.dtype) == "bfloat16":
        array, prefix = array.view(np.uint16), _BF16
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return prefix + base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_array(text: str) -> np.ndarray:
    array = np.load(io.BytesIO(base64.b64decode(text.removeprefix(_BF16))), allow_pickle=False)
    if text.startswith(_BF16):
        from oracle.request import numpy_dtype

        array = array.view(numpy_dtype("bfloat16"))
    return array


def _listify(array: np.ndarray) -> Any:
    if array.dtype.kind == "c":  # JSON has no complex numbers: each element is [re, im]
        return _listify(np.stack([array.real, array.imag], axis=-1).astype(np.float64))
    if array.dtype.kind in "fV" or str(array.dtype) == "bfloat16":
        array = array.astype(np.float64)
    if array.ndim == 0:
        return _scalar(array.item())
    return [_listify(a) for a in array]


def _scalar(x: Any) -> Any:
    if isinstance(x, float) and not np.isfinite(x):
        return "nan" if np.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


def _unlistify(values: Any) -> Any:
    if isinstance(values, list):
        return [_unlistify(v) for v in values]
    return float(values) if isinstance(values, str) else values


@dataclass
class ErrorInfo:
    type: str  # native class, qualified: torch.OutOfMemoryError, tensorflow...InvalidArgumentError
    base: str  # nearest Python builtin in its MRO: ValueError, RuntimeError, TypeError, Exception
    message: str  # first line only
    where: str = ""  # "step 1: loss = mse_loss(pred, target)" or "gradient"
    public: str = ""  # the name users write where it differs from the module path: tf.errors.InvalidArgumentError


@dataclass
class WarningInfo:
    category: str
    message: str


@dataclass
class Outcome:
    status: Status
    framework: str = ""
    version: str = ""
    device: str = ""
    error: ErrorInfo | None = None
    warnings: list[WarningInfo] = field(default_factory=list)
    outputs: dict[str, Tensor] = field(default_factory=dict)
    native_api: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    notes: dict[str, Any] = field(default_factory=dict)
    # reference only: alternative semantics it can name -> the outputs they give
    interpretations: dict[str, dict[str, Tensor]] = field(default_factory=dict)
    # a case that isolates its outputs (`isolate`): output -> {status: error | unsupported, error: ErrorInfo
    # fields or None, reason, after: the output whose failure it follows, "" for its own}; the output is
    # then absent from `outputs` while the others are recorded
    output_status: dict[str, dict[str, Any]] = field(default_factory=dict)

    def _header(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("outputs", "interpretations"):
            data.pop(key)
        if not data["output_status"]:  # only cases that isolate their outputs carry it
            data.pop("output_status")
        return data

    def to_wire(self) -> dict[str, Any]:
        return {**self._header(), "outputs": {k: t.to_wire() for k, t in self.outputs.items()},
                "interpretations": {k: {n: t.to_wire() for n, t in v.items()} for k, v in self.interpretations.items()}}

    def to_results(self) -> dict[str, Any]:
        return {**self._header(), "outputs": {k: t.to_results() for k, t in self.outputs.items()},
                "interpretations": {k: {n: t.to_results() for n, t in v.items()}
                                    for k, v in self.interpretations.items()}}

    @staticmethod
    def _from(data: Mapping[str, Any], tensor: Any) -> Outcome:
        return Outcome(
            status=data["status"], framework=data.get("framework", ""), version=data.get("version", ""),
            device=data.get("device", ""),
            error=ErrorInfo(**data["error"]) if data.get("error") else None,
            warnings=[WarningInfo(**w) for w in data.get("warnings", [])],
            outputs={k: tensor(v) for k, v in data.get("outputs", {}).items()},
            native_api=list(data.get("native_api", [])), elapsed_s=float(data.get("elapsed_s", 0.0)),
            notes=dict(data.get("notes", {})),
            interpretations={k: {n: tensor(t) for n, t in v.items()}
                             for k, v in data.get("interpretations", {}).items()},
            output_status={k: dict(v) for k, v in data.get("output_status", {}).items()},
        )

    @staticmethod
    def from_wire(data: dict[str, Any]) -> Outcome:
        return Outcome._from(data, Tensor.from_wire)

    @staticmethod
    def from_results(data: Mapping[str, Any]) -> Outcome:
        return Outcome._from(data, Tensor.from_results)
