"""Convolution, pooling, resizing. Cases are written channels-first (NCHW, OIHW), PyTorch's layout."""

from __future__ import annotations

from oracle.ops.spec import Attr, call, custom, op


def _conv2d(r, x, w, stride, padding):  # type: ignore[no-untyped-def]
    xp = r.xp
    kh, kw = w.shape[2], w.shape[3]
    if padding == "same":  # total padding k - 1 for stride 1, the extra unit on the bottom/right (as TF, XLA)
        ph, pw = _same(x.shape[2], kh, stride), _same(x.shape[3], kw, stride)
        x = xp.pad(x, ((0, 0), (0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2)))
    ho, wo = (x.shape[2] - kh) // stride + 1, (x.shape[3] - kw) // stride + 1
    out = 0.0
    for i in range(kh):
        for j in range(kw):
            patch = x[:, :, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride]
            out = out + xp.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out


def _same(size: int, k: int, stride: int) -> int:
    out = -(-size // stride)
    return max((out - 1) * stride + k - size, 0)


OPS = [
    op("conv2d", "conv", "x w", "2-D cross-correlation, x [N,C,H,W], w [O,C,kH,kW], no bias; padding valid or "
       "same (output ceil(H / stride); an odd total padding puts the extra row and column at the end)",
       _conv2d, attrs={"stride": Attr("int", 1, low=1), "padding": Attr("str", "valid", choices=("valid", "same"))},
       torch=call("torch.nn.functional.conv2d", stride="stride", padding="padding"),
       tensorflow=custom("conv2d_nchw", "tf.transpose(tf.nn.conv2d(tf.transpose({x}, [0, 2, 3, 1]), "
                         "tf.transpose({w}, [2, 3, 1, 0]), strides={stride}, padding={padding}.upper()), [0, 3, 1, 2])"),
       jax=custom("conv2d_nchw", "jax.lax.conv_general_dilated({x}, {w}, window_strides=({stride}, {stride}), "
                  "padding={padding}.upper(), dimension_numbers=('NCHW', 'OIHW', 'NCHW'))")),
]
