"""Convolution, pooling, resizing. Cases are written channels-first (NCHW, OIHW), PyTorch's layout.

TensorFlow's CPU kernels and flax.nnx pooling take channels-last: their bindings transpose
(custom functions in the adapters); Keras ops take data_format="channels_first" and need
none. 'same' padding is ceil(size / stride) outputs with the odd unit of padding at the end
(TensorFlow's and XLA's rule); explicit integer padding is symmetric.
"""

from __future__ import annotations

import itertools

import numpy as np

from oracle.ops.spec import REQUIRED, Attr, Fixed, call, construct, custom, expression, fix, none, op, retarget, with_forms


def _same(size: int, k: int, stride: int, dilation: int = 1) -> int:
    out = -(-size // stride)
    return max((out - 1) * stride + dilation * (k - 1) + 1 - size, 0)


def _pads(x, w, stride, padding, dilation=1):  # type: ignore[no-untyped-def]
    nd = x.ndim - 2
    if padding == "same":
        totals = [_same(x.shape[2 + d], w.shape[2 + d], stride, dilation) for d in range(nd)]
        return [(t // 2, t - t // 2) for t in totals]
    if padding == "valid":
        return [(0, 0)] * nd
    return [(padding, padding)] * nd


def _correlate(r, x, w, stride, pads, dilation=1):  # type: ignore[no-untyped-def]
    """N-d cross-correlation x [N, C, *S] with w [O, C, *K], explicit padding, stride and dilation."""
    xp = r.xp
    nd = x.ndim - 2
    x = xp.pad(x, [(0, 0), (0, 0)] + [tuple(p) for p in pads])
    k = w.shape[2:]
    outs = [(x.shape[2 + d] - dilation * (k[d] - 1) - 1) // stride + 1 for d in range(nd)]
    out = 0.0
    for idx in itertools.product(*[range(kk) for kk in k]):
        sl = (slice(None), slice(None)) + tuple(slice(i * dilation, i * dilation + stride * (o - 1) + 1, stride)
                                                for i, o in zip(idx, outs))
        out = out + xp.einsum("nc...,oc->no...", x[sl], w[(slice(None), slice(None)) + idx])
    return out


def _rank(name: str, x, w, spatial: int) -> None:  # type: ignore[no-untyped-def]
    if x.ndim != spatial + 2 or w.ndim != spatial + 2:
        raise ValueError(f"{name} needs x and w of rank {spatial + 2}, got {x.ndim} and {w.ndim}")


def _conv_nd(spatial: int):  # type: ignore[no-untyped-def]
    def formula(r, x, w, stride, padding):  # type: ignore[no-untyped-def]
        _rank(f"conv{spatial}d", x, w, spatial)
        return _correlate(r, x, w, stride, _pads(x, w, stride, padding))
    return formula


def _conv2d_general(r, x, w, stride, padding, dilation):  # type: ignore[no-untyped-def]
    _rank("conv2d_padded", x, w, 2)
    return _correlate(r, x, w, stride, [(padding, padding)] * 2, dilation)


def _depthwise(r, x, w, stride, padding):  # type: ignore[no-untyped-def]
    """Channel c of x with filters w[c*m : (c+1)*m, 0] -> output channels c*m .. c*m + m - 1."""
    xp = r.xp
    _rank("depthwise_conv2d", x, w, 2)
    mult = w.shape[0] // x.shape[1]
    xr = xp.repeat(x, mult, axis=1)
    pads = _pads(x, w, stride, padding)
    xr = xp.pad(xr, [(0, 0), (0, 0)] + [tuple(p) for p in pads])
    kh, kw_ = w.shape[2], w.shape[3]
    ho, wo = (xr.shape[2] - kh) // stride + 1, (xr.shape[3] - kw_) // stride + 1
    out = 0.0
    for i in range(kh):
        for j in range(kw_):
            patch = xr[:, :, i:i + stride * (ho - 1) + 1:stride, j:j + stride * (wo - 1) + 1:stride]
            out = out + patch * w[None, :, 0, i, j, None, None]
    return out


def _conv_transpose_nd(spatial: int):  # type: ignore[no-untyped-def]
    def formula(r, x, w, stride, padding, output_padding):  # type: ignore[no-untyped-def]
        """The gradient of the convolution w.r.t. its input: x dilated by stride, padded k-1-p (plus output_padding
        at the end), correlated with the flipped kernel; w is [C_in, C_out, *k] (PyTorch's layout)."""
        xp = r.xp
        _rank(f"conv_transpose{spatial}d", x, w, spatial)
        s = stride
        for axis in range(2, x.ndim):  # insert s - 1 zeros between samples on each spatial axis
            if s > 1:
                moved = xp.moveaxis(x, axis, -1)
                n = moved.shape[-1]
                z = xp.zeros(moved.shape + (s - 1,), dtype=x.dtype)
                moved = xp.concatenate([moved[..., None], z], axis=-1).reshape(moved.shape[:-1] + (n * s,))
                x = xp.moveaxis(moved[..., :(n - 1) * s + 1], -1, axis)
        pads = [(k - 1 - padding, k - 1 - padding + output_padding) for k in w.shape[2:]]
        flip = (slice(None), slice(None)) + (slice(None, None, -1),) * spatial
        return _correlate(r, x, xp.swapaxes(w[flip], 0, 1), 1, pads)  # flipped: [C_out, C_in, *k]
    return formula


def _pixel_shuffle(r, x, upscale_factor):  # type: ignore[no-untyped-def]
    """torch's channel order: output (c, h f + i, w f + j) reads input channel c f^2 + i f + j of [N, C f^2, H, W]."""
    f = upscale_factor
    if x.ndim != 4 or x.shape[1] % (f * f):
        raise ValueError(f"pixel_shuffle needs x [N, C, H, W] with C divisible by {f * f}, got {x.shape}")
    n, c, h, w = x.shape
    return x.reshape(n, c // (f * f), f, f, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c // (f * f), h * f, w * f)


def _pixel_unshuffle(r, x, downscale_factor):  # type: ignore[no-untyped-def]
    """The inverse of pixel_shuffle: input (c, h f + i, w f + j) goes to output channel c f^2 + i f + j."""
    f = downscale_factor
    if x.ndim != 4 or x.shape[2] % f or x.shape[3] % f:
        raise ValueError(f"pixel_unshuffle needs x [N, C, H, W] with H and W divisible by {f}, got {x.shape}")
    n, c, h, w = x.shape
    return x.reshape(n, c, h // f, f, w // f, f).transpose(0, 1, 3, 5, 2, 4).reshape(n, c * f * f, h // f, w // f)


def _unfold(r, x, kernel_size, dilation, padding, stride):  # type: ignore[no-untyped-def]
    """Patches of x [N, C, H, W] zero-padded by `padding`: [N, C k^2, L], row c k^2 + i k + j holding, for each of
    the L window positions (row-major), the element at kernel offset (i, j) of channel c (torch's order)."""
    xp = r.xp
    if x.ndim != 4:
        raise ValueError(f"unfold needs x of rank 4 [N, C, H, W], got {x.ndim}")
    k, d, s = kernel_size, dilation, stride
    x = xp.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    oh, ow = ((size - d * (k - 1) - 1) // s + 1 for size in x.shape[2:])
    if oh < 1 or ow < 1:
        raise ValueError(f"unfold: a {k}x{k} kernel, dilation {d}, does not fit the padded {x.shape[2:]}")
    taps = [x[:, :, i * d:i * d + s * (oh - 1) + 1:s, j * d:j * d + s * (ow - 1) + 1:s]
            for i in range(k) for j in range(k)]
    return xp.stack(taps, axis=2).reshape(x.shape[0], x.shape[1] * k * k, oh * ow)


def _pool_geometry(size: int, k: int, s: int, p: int, ceil_mode: bool) -> tuple[int, int]:
    """(outputs, extra padding at the end) for one axis; a ceil-mode window must start inside input or left pad."""
    span = size + 2 * p - k
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out, max((out - 1) * s + k - (size + 2 * p), 0)


def _windows(r, x, k, s, p, ceil_mode, fill):  # type: ignore[no-untyped-def]
    """Every offset of a k x ... x k window over the spatial axes of x [N, C, ...], in row-major order."""
    xp = r.xp
    geometry = [_pool_geometry(size, k, s, p, ceil_mode) for size in x.shape[2:]]
    x = xp.pad(x, ((0, 0), (0, 0)) + tuple((p, p + extra) for _, extra in geometry), constant_values=fill)
    return [x[(slice(None), slice(None)) + tuple(slice(i, i + s * (out - 1) + 1, s) for i, (out, _) in
                                               zip(offset, geometry))]
            for offset in itertools.product(range(k), repeat=len(geometry))]


def _max_pool(r, x, kernel_size, stride, padding, ceil_mode):  # type: ignore[no-untyped-def]
    """The window's maximum, taken from its first maximal element in row-major order (the gradient goes there)."""
    xp = r.xp
    s = stride or kernel_size
    w = xp.stack(_windows(r, x, kernel_size, s, padding, ceil_mode, -np.inf))
    m = xp.max(w, axis=0)
    is_max = w == m
    first = is_max & (xp.cumsum(is_max, axis=0) == 1)
    return xp.where(xp.isnan(m), m, xp.sum(xp.where(first, w, 0.0), axis=0))


def _avg_pool(r, x, kernel_size, stride, padding, count_include_pad):  # type: ignore[no-untyped-def]
    xp = r.xp
    s = stride or kernel_size
    total = sum(_windows(r, x, kernel_size, s, padding, False, 0.0))
    if count_include_pad:
        return total / kernel_size ** (x.ndim - 2)
    count = sum(_windows(r, xp.ones_like(x[:1, :1]), kernel_size, s, padding, False, 0.0))
    return total / count


def _pool1d(pool):  # type: ignore[no-untyped-def]
    def formula(r, x, **attrs):  # type: ignore[no-untyped-def]
        if x.ndim != 3:
            raise ValueError(f"a 1-D pool needs x of rank 3 [N, C, L], got {x.ndim}")
        return pool(r, x, **attrs)
    return formula


def _bins(size: int, out: int) -> list[tuple[int, int]]:
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


# every adaptive pool's JAX binding (1-D to 3-D, average and max)
NO_ADAPTIVE_JAX = none("neither jax.numpy, jax.nn, jax.lax nor flax.nnx has adaptive pooling")


def _adaptive_avg(r, x, output_size):  # type: ignore[no-untyped-def]
    # each bin's block averaged by slicing, not by averaging matrices: 0 * inf would spread NaN to other bins
    xp = r.xp
    return xp.stack([xp.stack([xp.mean(x[:, :, a:b, c:d], axis=(2, 3)) for c, d in _bins(x.shape[3], output_size[1])],
                              axis=-1) for a, b in _bins(x.shape[2], output_size[0])], axis=-2)


def _adaptive_max(r, x, output_size):  # type: ignore[no-untyped-def]
    xp = r.xp
    rows = []
    for a, b in _bins(x.shape[2], output_size[0]):
        rows.append(xp.stack([xp.max(x[:, :, a:b, c:d], axis=(2, 3))
                              for c, d in _bins(x.shape[3], output_size[1])], axis=-1))
    return xp.stack(rows, axis=-2)


def _cubic(t: np.ndarray, a: float) -> np.ndarray:
    t = np.abs(t)
    return np.where(t <= 1, (a + 2) * t ** 3 - (a + 3) * t ** 2 + 1,
                    np.where(t < 2, a * t ** 3 - 5 * a * t ** 2 + 8 * a * t - 4 * a, 0.0))


def _resize_matrix(size: int, out: int, method: str, align_corners: bool) -> np.ndarray:
    m = np.zeros((out, size))
    dst = np.arange(out, dtype=np.float64)
    if method == "nearest":
        src = np.minimum(np.floor((dst + 0.5) * size / out), size - 1).astype(int)
        m[np.arange(out), src] = 1.0
        return m
    if align_corners:
        src = dst * (size - 1) / (out - 1) if out > 1 else np.zeros(out)
    else:
        src = (dst + 0.5) * size / out - 0.5
    if method == "bilinear":
        src = np.clip(src, 0, size - 1)
        lo = np.floor(src).astype(int)
        hi = np.minimum(lo + 1, size - 1)
        frac = src - lo
        np.add.at(m, (np.arange(out), lo), 1 - frac)
        np.add.at(m, (np.arange(out), hi), frac)
        return m
    base = np.floor(src).astype(int)  # bicubic: Keys (a = -0.5), border samples replicated
    for off in (-1, 0, 1, 2):
        idx = base + off
        np.add.at(m, (np.arange(out), np.clip(idx, 0, size - 1)), _cubic(src - idx, -0.5))
    return m


def _resize(r, x, size, method, align_corners, antialias):  # type: ignore[no-untyped-def]
    if antialias:
        from oracle.ops.refctx import Undefined

        raise Undefined("the reference resizes by interpolation only (no antialiasing filter)")
    from oracle.ops.refctx import ShapeMismatch

    spatial = x.shape[2:]
    if x.ndim < 3 or len(size) != len(spatial):
        raise ShapeMismatch(f"resize needs one size per spatial axis of [N, C, ...], got size {list(size)} for "
                            f"{list(x.shape)}")
    for axis, (n, out) in enumerate(zip(spatial, size), start=2):  # each spatial axis by its own matrix
        m = r.xp.asarray(_resize_matrix(n, out, method, bool(align_corners)))
        x = r.xp.moveaxis(r.xp.tensordot(x, m, axes=([axis], [1])), -1, axis)
    return x


CONV_ATTRS = {"stride": Attr("int", 1, low=1), "padding": Attr("str", "valid", choices=("valid", "same"))}
POOL_STRIDE = Attr("int", low=1, reference=None, nullable=True,
                   doc="the reference strides by kernel_size when unpinned (torch's and Keras' rule)")
_KERNEL_PAD = {"kernel_size": Attr("int", REQUIRED, low=1), "stride": POOL_STRIDE, "padding": Attr("int", 0, low=0)}
MAX_POOL_ATTRS = {**_KERNEL_PAD, "ceil_mode": Attr("bool", reference=False)}
AVG_POOL_ATTRS = {**_KERNEL_PAD, "count_include_pad": Attr("bool", reference=False)}
MAX_POOL_TIES = ("NaN propagates through max; at tied maxima the value and its gradient come from the first maximal "
                 "element of the window in row-major order")
# torch's pooling functions, 2-D; the 1-D ones take the same keywords (retargeted)
MAX_POOL_TORCH = call("torch.nn.functional.max_pool2d", kernel_size="kernel_size", stride="stride", padding="padding",
                      ceil_mode="ceil_mode")
AVG_POOL_TORCH = call("torch.nn.functional.avg_pool2d", kernel_size="kernel_size", stride="stride", padding="padding",
                      count_include_pad="count_include_pad")
SPATIAL = "a global pool reduces the spatial axes: the trailing ones of [N, C, ...]"
CF = {"data_format": fix("channels_first", "the op's layout is channels first ([N, C, ...], torch's); Keras' "
                                               "default is channels_last")}

# jax.lax convolutions name the layouts: the op's are torch's, channels first ([N, C, ...], w [O, C, ...])
def _layout(spec: tuple[str, str, str]) -> dict[str, Fixed]:
    return {"dimension_numbers": fix(spec, "the op's layout is torch's: x channels first, w [O, C, ...]; "
                                           "jax.lax has no default")}


NCH, NCHW, NCDHW = _layout(("NCH", "OIH", "NCH")), _layout(("NCHW", "OIHW", "NCHW")), _layout(("NCDHW", "OIDHW", "NCDHW"))

OPS = [
    op("conv2d", "conv", "x w", "2-D cross-correlation, x [N,C,H,W], w [O,C,kH,kW], no bias; padding valid or "
       "same (output ceil(H / stride); an odd total padding puts the extra row and column at the end)",
       _conv_nd(2), attrs=dict(CONV_ATTRS),
       torch=call("torch.nn.functional.conv2d", stride="stride", padding="padding"),
       tensorflow=expression("tf.transpose(tf.nn.conv2d(tf.transpose(x, [0, 2, 3, 1]), tf.transpose(w, [2, 3, 1, 0]), "
                                 "strides=stride, padding=padding.upper()), [0, 3, 1, 2])"),
       jax=expression("jax.lax.conv_general_dilated(x, w, window_strides=(stride, stride), padding=padding.upper(), "
                          "dimension_numbers=dimension_numbers)", fixed=NCHW)),
    op("conv1d", "conv", "x w", "1-D cross-correlation, x [N,C,L], w [O,C,k], no bias; padding valid or same",
       _conv_nd(1), attrs=dict(CONV_ATTRS),
       torch=call("torch.nn.functional.conv1d", stride="stride", padding="padding"),
       tensorflow=expression("tf.transpose(tf.nn.conv1d(tf.transpose(x, [0, 2, 1]), tf.transpose(w, [2, 1, 0]), "
                                 "stride=stride, padding=padding.upper()), [0, 2, 1])"),
       jax=expression("jax.lax.conv_general_dilated(x, w, window_strides=(stride,), padding=padding.upper(), "
                          "dimension_numbers=dimension_numbers)", fixed=NCH)),
    op("conv3d", "conv", "x w", "3-D cross-correlation, x [N,C,D,H,W], w [O,C,kD,kH,kW], no bias; padding valid or "
       "same", _conv_nd(3), attrs=dict(CONV_ATTRS),
       torch=call("torch.nn.functional.conv3d", stride="stride", padding="padding"),
       tensorflow=expression("tf.transpose(tf.nn.conv3d(tf.transpose(x, [0, 2, 3, 4, 1]), tf.transpose(w, [2, 3, 4, 1, 0]), "
                                 "strides=[1, stride, stride, stride, 1], padding=padding.upper()), [0, 4, 1, 2, 3])"),
       jax=expression("jax.lax.conv_general_dilated(x, w, window_strides=(stride, stride, stride), "
                          "padding=padding.upper(), dimension_numbers=dimension_numbers)", fixed=NCDHW)),
    op("conv2d_padded", "conv", "x w", "2-D cross-correlation with explicit symmetric integer padding and "
       "dilation (atrous), x [N,C,H,W], w [O,C,kH,kW]", _conv2d_general,
       attrs={"stride": Attr("int", 1, low=1), "padding": Attr("int", 0, low=0), "dilation": Attr("int", 1, low=1)},
       torch=call("torch.nn.functional.conv2d", stride="stride", padding="padding", dilation="dilation"),
       tensorflow=expression("tf.transpose(tf.nn.conv2d(tf.transpose(x, [0, 2, 3, 1]), tf.transpose(w, [2, 3, 1, 0]), "
                                 "strides=stride, padding=[[0, 0], [padding, padding], [padding, padding], [0, 0]], "
                                 "dilations=dilation), [0, 3, 1, 2])"),
       jax=expression("jax.lax.conv_general_dilated(x, w, window_strides=(stride, stride), "
                          "padding=[(padding, padding), (padding, padding)], rhs_dilation=(dilation, dilation), "
                          "dimension_numbers=dimension_numbers)", fixed=NCHW)),
    op("conv_transpose2d", "conv", "x w", "transposed 2-D convolution (the input gradient of conv2d), x [N,C_in,H,W], "
       "w [C_in,C_out,kH,kW] (PyTorch's layout); output (H - 1) stride - 2 padding + k + output_padding",
       _conv_transpose_nd(2), attrs={"stride": Attr("int", 1, low=1), "padding": Attr("int", 0, low=0),
                                 "output_padding": Attr("int", 0, low=0)},
       torch=call("torch.nn.functional.conv_transpose2d", stride="stride", padding="padding",
                  output_padding="output_padding"),
       tensorflow=custom("conv_transpose2d_nchw", "tf.transpose(tf.nn.conv2d_transpose(tf.transpose({x}, [0, 2, 3, 1]), "
                         "tf.transpose({w}, [2, 3, 1, 0]), output_shape, strides={stride}, padding=[[0, 0], "
                         "[{padding}, {padding}], [{padding}, {padding}], [0, 0]]), [0, 3, 1, 2])"),
       jax=custom("conv_transpose2d_nchw", "jax.lax.conv_transpose({x}, {w}, ({stride}, {stride}), "
                  "[(k - 1 - {padding}, k - 1 - {padding} + {output_padding})] * 2, "
                  "dimension_numbers=('NCHW', 'OIHW', 'NCHW'), transpose_kernel=True)")),
    op("conv_transpose1d", "conv", "x w", "transposed 1-D convolution (the input gradient of conv1d), x [N,C_in,L], "
       "w [C_in,C_out,k] (PyTorch's layout); output (L - 1) stride - 2 padding + k + output_padding, the "
       "output_padding added at the end",
       _conv_transpose_nd(1), attrs={"stride": Attr("int", 1, low=1), "padding": Attr("int", 0, low=0),
                                     "output_padding": Attr("int", 0, low=0)},
       torch=call("torch.nn.functional.conv_transpose1d", stride="stride", padding="padding",
                  output_padding="output_padding"),
       tensorflow=custom("conv_transpose1d_ncw", "tf.transpose(tf.nn.conv1d_transpose(tf.transpose({x}, [0, 2, 1]), "
                         "tf.transpose({w}, [2, 1, 0]), output_shape, strides={stride}, padding='VALID'), [0, 2, 1])",
                         fixed={"padding": fix("VALID", "tf.nn.conv1d_transpose pads 'VALID' or 'SAME' only; 'VALID' "
                                                         "is torch's padding 0 (a padding above 0 is unsupported)")}),
       jax=custom("conv_transpose1d_ncw", "jax.lax.conv_transpose({x}, {w}, ({stride},), "
                  "[(k - 1 - {padding}, k - 1 - {padding} + {output_padding})], "
                  "dimension_numbers=('NCH', 'OIH', 'NCH'), transpose_kernel=True)",
                  fixed={"dimension_numbers": fix(("NCH", "OIH", "NCH"), "the op's layout: x [N, C, L], w [C_in, "
                                                                         "C_out, k] read as OIH with the kernel "
                                                                         "transposed"),
                         "transpose_kernel": fix(True, "flip the kernel and swap its channel axes: the input "
                                                       "gradient of conv1d, torch's conv_transpose1d")})),
    op("depthwise_conv2d", "conv", "x w", "depthwise 2-D cross-correlation: channel c of x [N,C,H,W] with the "
       "filters w[c*m:(c+1)*m, 0] of w [C*m,1,kH,kW] gives output channels c*m..c*m+m-1", _depthwise,
       attrs=dict(CONV_ATTRS),
       torch=expression("torch.nn.functional.conv2d(x, w, stride=stride, padding=padding, groups=x.shape[1])"),
       tensorflow=expression("tf.transpose(tf.nn.depthwise_conv2d(tf.transpose(x, [0, 2, 3, 1]), "
                                 "tf.transpose(tf.reshape(w, [x.shape[1], w.shape[0] // x.shape[1], w.shape[2], "
                                 "w.shape[3]]), "
                                 "[2, 3, 0, 1]), strides=[1, stride, stride, 1], padding=padding.upper()), [0, 3, 1, 2])"),
       jax=expression("jax.lax.conv_general_dilated(x, w, window_strides=(stride, stride), padding=padding.upper(), "
                          "dimension_numbers=dimension_numbers, feature_group_count=x.shape[1])", fixed=NCHW)),
    op("max_pool2d", "conv", "x", "2-D max pooling over kernel_size x kernel_size windows, symmetric -inf "
       "padding; ceil_mode adds windows at the end that start inside the input or left padding", _max_pool,
       attrs=dict(MAX_POOL_ATTRS),
       conventions=MAX_POOL_TIES,
       torch=MAX_POOL_TORCH,
       tensorflow=custom("max_pool2d", "keras.ops.max_pool({x}, {kernel_size}, strides, padding='valid' | 'same', "
                         "data_format='channels_first')", fixed=CF),
       jax=custom("max_pool2d", "flax.nnx.max_pool(NHWC {x}, ({kernel_size}, {kernel_size}), strides, "
                  "padding=((p, p), (p, p)))")),
    op("avg_pool2d", "conv", "x", "2-D average pooling; with padding, count_include_pad divides by the whole "
       "window (zeros counted) or by the real elements only (the reference's choice when unpinned)", _avg_pool,
       attrs=dict(AVG_POOL_ATTRS),
       torch=AVG_POOL_TORCH,
       tensorflow=custom("avg_pool2d", "keras.ops.average_pool({x}, {kernel_size}, strides, padding='valid' | "
                         "'same', data_format='channels_first')", fixed=CF),
       jax=custom("avg_pool2d", "flax.nnx.avg_pool(NHWC {x}, ({kernel_size}, {kernel_size}), strides, "
                  "padding=((p, p), (p, p)), count_include_pad=...)")),
    op("max_pool1d", "conv", "x", "1-D max pooling of x [N,C,L] over windows of kernel_size, symmetric -inf "
       "padding; ceil_mode adds a window at the end that starts inside the input or left padding",
       _pool1d(_max_pool),
       attrs=dict(MAX_POOL_ATTRS),
       conventions=MAX_POOL_TIES,
       torch=retarget(MAX_POOL_TORCH, "torch.nn.functional.max_pool1d"),
       tensorflow=custom("max_pool1d", "keras.ops.max_pool({x}, {kernel_size}, strides, padding='valid' if {padding} "
                         "== 0 else 'same', data_format='channels_first')", fixed=CF),
       jax=custom("max_pool1d", "flax.nnx.max_pool(NWC {x}, ({kernel_size},), strides, "
                  "padding=(({padding}, {padding}),))")),
    op("avg_pool1d", "conv", "x", "1-D average pooling of x [N,C,L]; with padding, count_include_pad divides by the "
       "whole window (zeros counted) or by the real elements only (the reference's choice when unpinned)",
       _pool1d(_avg_pool),
       attrs=dict(AVG_POOL_ATTRS),
       torch=retarget(AVG_POOL_TORCH, "torch.nn.functional.avg_pool1d"),
       tensorflow=custom("avg_pool1d", "keras.ops.average_pool({x}, {kernel_size}, strides, padding='valid' if "
                         "{padding} == 0 else 'same', data_format='channels_first')", fixed=CF),
       jax=custom("avg_pool1d", "flax.nnx.avg_pool(NWC {x}, ({kernel_size},), strides, "
                  "padding=(({padding}, {padding}),), count_include_pad=...)")),
    op("adaptive_avg_pool2d", "conv", "x", "adaptive average pooling to output_size: bin i covers "
       "[floor(i H / out), ceil((i + 1) H / out))", _adaptive_avg, attrs={"output_size": Attr("ints", REQUIRED)},
       torch=call("torch.nn.functional.adaptive_avg_pool2d", output_size="output_size"),
       tensorflow=call("keras.ops.adaptive_average_pool", fixed=CF, output_size="output_size"),
       jax=NO_ADAPTIVE_JAX),
    op("adaptive_max_pool2d", "conv", "x", "adaptive max pooling to output_size (bins as adaptive_avg_pool2d)",
       _adaptive_max, attrs={"output_size": Attr("ints", REQUIRED)},
       torch=call("torch.nn.functional.adaptive_max_pool2d", output_size="output_size"),
       tensorflow=call("keras.ops.adaptive_max_pool", fixed=CF, output_size="output_size"),
       jax=NO_ADAPTIVE_JAX),
    op("global_avg_pool1d", "conv", "x", "mean over the length axis of x [N,C,L] -> [N,C]",
       lambda r, x: r.xp.mean(x, axis=2),
       torch=call("torch.mean", fixed={"dim": fix(-1, SPATIAL)}),
       tensorflow=construct("keras.layers.GlobalAveragePooling1D", fixed=CF),
       jax=call("jnp.mean", fixed={"axis": fix(-1, SPATIAL)})),
    op("global_avg_pool2d", "conv", "x", "mean over the spatial axes of x [N,C,H,W] -> [N,C]",
       lambda r, x: r.xp.mean(x, axis=(2, 3)),
       torch=call("torch.mean", fixed={"dim": fix((-2, -1), SPATIAL)}),
       tensorflow=construct("keras.layers.GlobalAveragePooling2D", fixed=CF),
       jax=call("jnp.mean", fixed={"axis": fix((-2, -1), SPATIAL)})),
    op("global_max_pool2d", "conv", "x", "max over the spatial axes of x [N,C,H,W] -> [N,C]; NaN propagates",
       lambda r, x: r.xp.max(x, axis=(2, 3)),
       torch=call("torch.amax", fixed={"dim": fix((-2, -1), SPATIAL)}),
       tensorflow=construct("keras.layers.GlobalMaxPooling2D", fixed=CF),
       jax=call("jnp.max", fixed={"axis": fix((-2, -1), SPATIAL)})),
    op("resize", "conv", "x", "resize the spatial axes of x [N,C,H,W] (or [N,C,L], [N,C,D,H,W]: one size per "
       "spatial axis) to `size` by nearest, bilinear or bicubic interpolation, applied per axis (linear on one "
       "axis), half-pixel centres (align_corners=false) unless align_corners; no antialiasing", _resize,
       attrs={"size": Attr("ints", REQUIRED), "method": Attr("str", REQUIRED, choices=("nearest", "bilinear", "bicubic")),
              "align_corners": Attr("bool", reference=False), "antialias": Attr("bool", reference=False)},
       conventions="nearest: source floor((i + 0.5) in / out); bicubic: Keys' kernel with a = -0.5, border samples "
                   "replicated; bilinear: source clamped to [0, in - 1]",
       torch=call("torch.nn.functional.interpolate", size="size", method="mode", align_corners="align_corners",
                  antialias="antialias"),
       tensorflow=call("keras.ops.image.resize", fixed=CF, size="size", method="interpolation", antialias="antialias"),
       jax=custom("resize", "jax.image.resize({x}, {x}.shape[:2] + tuple({size}), method={method}, antialias)")),
    op("conv_transpose3d", "conv", "x w", "transposed 3-D convolution (the input gradient of conv3d), x "
       "[N,C_in,D,H,W], w [C_in,C_out,kD,kH,kW] (PyTorch's layout); output (D - 1) stride - 2 padding + k + "
       "output_padding per axis", _conv_transpose_nd(3),
       attrs={"stride": Attr("int", 1, low=1), "padding": Attr("int", 0, low=0), "output_padding": Attr("int", 0, low=0)},
       torch=call("torch.nn.functional.conv_transpose3d", stride="stride", padding="padding",
                  output_padding="output_padding"),
       tensorflow=custom("conv_transpose3d_ncdhw", "tf.transpose(tf.nn.conv3d_transpose(tf.transpose({x}, "
                         "[0, 2, 3, 4, 1]), tf.transpose({w}, [2, 3, 4, 1, 0]), output_shape, strides={stride}, "
                         "padding='VALID'), [0, 4, 1, 2, 3])",
                         fixed={"padding": fix("VALID", "tf.nn.conv3d_transpose pads 'VALID' or 'SAME' only; 'VALID' "
                                                         "is torch's padding 0 (a padding above 0 is unsupported)")}),
       jax=custom("conv_transpose3d_ncdhw", "jax.lax.conv_transpose({x}, {w}, ({stride},) * 3, "
                  "[(k - 1 - {padding}, k - 1 - {padding} + {output_padding})] * 3, "
                  "dimension_numbers=('NCDHW', 'OIDHW', 'NCDHW'), transpose_kernel=True)",
                  fixed={"dimension_numbers": fix(("NCDHW", "OIDHW", "NCDHW"), "the op's layout: x [N, C, D, H, W], w "
                                                                             "[C_in, C_out, *k] read as OIDHW with "
                                                                             "the kernel transposed"),
                         "transpose_kernel": fix(True, "flip the kernel and swap its channel axes: the input "
                                                       "gradient of conv3d, torch's conv_transpose3d")})),
    op("pixel_shuffle", "conv", "x", "depth to space, x [N, C f^2, H, W] -> [N, C, H f, W f] in torch's channel "
       "order (output (c, h f + i, w f + j) from input channel c f^2 + i f + j); TensorFlow's depth_to_space "
       "orders the input channels (i f + j) C + c instead, which differs once C > 1", _pixel_shuffle,
       attrs={"upscale_factor": Attr("int", REQUIRED, low=1)},
       torch=call("torch.nn.functional.pixel_shuffle", upscale_factor="upscale_factor"),
       tensorflow=expression("tf.transpose(tf.nn.depth_to_space(tf.transpose(x, [0, 2, 3, 1]), upscale_factor), "
                             "[0, 3, 1, 2])"),
       jax=none("neither jax.numpy, jax.nn, jax.lax nor flax.nnx has a depth-to-space (pixel shuffle) function; "
                "the reshape and transpose it takes is a formula, not an API")),
    op("pixel_unshuffle", "conv", "x", "space to depth, x [N, C, H f, W f] -> [N, C f^2, H, W] in torch's channel "
       "order (input (c, h f + i, w f + j) to output channel c f^2 + i f + j); TensorFlow's space_to_depth "
       "orders the output channels (i f + j) C + c instead, which differs once C > 1", _pixel_unshuffle,
       attrs={"downscale_factor": Attr("int", REQUIRED, low=1)},
       torch=call("torch.nn.functional.pixel_unshuffle", downscale_factor="downscale_factor"),
       tensorflow=expression("tf.transpose(tf.nn.space_to_depth(tf.transpose(x, [0, 2, 3, 1]), downscale_factor), "
                             "[0, 3, 1, 2])"),
       jax=none("neither jax.numpy, jax.nn, jax.lax nor flax.nnx has a space-to-depth (pixel unshuffle) function; "
                "the reshape and transpose it takes is a formula, not an API")),
    op("unfold", "conv", "x", "sliding patches (im2col) of x [N,C,H,W]: [N, C k^2, L], row c k^2 + i k + j the "
       "element at kernel offset (i, j) of channel c, columns the L window positions row-major; zero padding. "
       "tf.image.extract_patches gives [N, oh, ow, k^2 C] (channel fastest) and jax.lax.conv_general_dilated_patches "
       "[N, C k^2, oh, ow]: their bindings transpose and reshape to torch's layout", _unfold,
       attrs={"kernel_size": Attr("int", REQUIRED, low=1), "dilation": Attr("int", 1, low=1),
              "padding": Attr("int", 0, low=0), "stride": Attr("int", 1, low=1)},
       torch=call("torch.nn.functional.unfold", kernel_size="kernel_size", dilation="dilation", padding="padding",
                  stride="stride"),
       tensorflow=expression("tf.reshape(tf.transpose(tf.reshape(tf.image.extract_patches(tf.pad(tf.transpose(x, "
                             "[0, 2, 3, 1]), [[0, 0], [padding, padding], [padding, padding], [0, 0]]), "
                             "sizes=[1, kernel_size, kernel_size, 1], strides=[1, stride, stride, 1], "
                             "rates=[1, dilation, dilation, 1], padding=patches_padding), [x.shape[0], -1, "
                             "kernel_size * kernel_size, x.shape[1]]), [0, 3, 2, 1]), "
                             "[x.shape[0], x.shape[1] * kernel_size * kernel_size, -1])",
                             fixed={"patches_padding": fix("VALID", "tf.image.extract_patches pads 'VALID' or 'SAME' "
                                                                   "only: the op's zero padding is tf.pad before it")}),
       jax=expression("jax.lax.conv_general_dilated_patches(x, (kernel_size, kernel_size), (stride, stride), "
                      "[(padding, padding), (padding, padding)], rhs_dilation=(dilation, dilation), "
                      "dimension_numbers=dimension_numbers).reshape(x.shape[0], x.shape[1] * kernel_size * "
                      "kernel_size, -1)", fixed=NCHW)),
]


# ---- forms: torch's pooling modules beside their functions (`F.max_pool2d(x, 2)` / `nn.MaxPool2d(2)(x)`)
_TORCH = {d.name: d.torch for d in OPS}
OPS = with_forms(OPS, "torch", "module", {name: retarget(_TORCH[name], f"torch.nn.{cls}", kind="construct")
                                          for name, cls in (("max_pool2d", "MaxPool2d"), ("avg_pool2d", "AvgPool2d"),
                                                            ("max_pool1d", "MaxPool1d"), ("avg_pool1d", "AvgPool1d"),
                                                            ("adaptive_avg_pool2d", "AdaptiveAvgPool2d"),
                                                            ("adaptive_max_pool2d", "AdaptiveMaxPool2d"),
                                                            ("pixel_shuffle", "PixelShuffle"),
                                                            ("pixel_unshuffle", "PixelUnshuffle"),
                                                            ("unfold", "Unfold"))})
