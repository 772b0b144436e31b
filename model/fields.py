"""Distance-decay fields over the grid, computed by FFT convolution.

A *field* is a numpy array over the grid. The spillover pool, the agglomeration potential, the
commuting labour market and the suppliers' market access are all the same operation: a sum
over nearby cells weighted by distance decay,

    F(c) = Σ_{c' : |c − c'| ≤ R}  exp(−|c − c'| / λ) · X(c'),

i.e. the convolution of X with a truncated exponential kernel. Done per agent with Python
neighbour loops this costs O(agents · R²) interpreter steps; as an FFT over the grid it costs
O(W·H·log(W·H)) in compiled code, whatever the number of agents. The kernel's spectrum is
cached per grid shape, and several fields are convolved in one batched transform.
"""

from __future__ import annotations

import numpy as np
from scipy import fft


def decay_kernel(radius: int, decay: float) -> np.ndarray:
    """(2R+1)² kernel, w(d) = exp(−d/λ) for Euclidean d ≤ R, 0 beyond."""
    r = np.arange(-radius, radius + 1)
    d = np.hypot(r[:, None], r[None, :])
    return np.where(d <= radius, np.exp(-d / decay), 0.0)


class KernelConvolution:
    """Convolve grid-shaped arrays with one fixed kernel; zero padding (no wraparound)."""

    def __init__(self, shape: tuple[int, int], kernel: np.ndarray):
        self.shape = shape
        self.kernel = kernel
        self.radius = kernel.shape[0] // 2
        full = (shape[0] + 2 * self.radius, shape[1] + 2 * self.radius)
        self.fft_shape = tuple(fft.next_fast_len(n, real=True) for n in full)
        self._spectrum = fft.rfft2(kernel, s=self.fft_shape)
        self._padded = None

    def __call__(self, fields) -> np.ndarray:
        """Convolve one (W, H) array, a stack (n, W, H), or a list of such arrays (convolved as
        one stack, in order); returns the same shape (a list gives the stack). The arrays are
        copied into a zero-padded buffer kept between calls (no re-allocation per step)."""
        parts = [fields] if isinstance(fields, np.ndarray) else list(fields)
        layers = [part[None] if part.ndim == 2 else part for part in parts]
        n, (w, h) = sum(len(layer) for layer in layers), self.shape
        if self._padded is None or len(self._padded) != n:
            self._padded = np.zeros((n, *self.fft_shape))
        i = 0
        for layer in layers:
            self._padded[i : i + len(layer), :w, :h] = layer
            i += len(layer)
        spec = fft.rfft2(self._padded, axes=(-2, -1), workers=-1)
        spec *= self._spectrum
        out = fft.irfft2(spec, s=self.fft_shape, axes=(-2, -1), workers=-1, overwrite_x=True)
        r = self.radius
        out = out[:, r : r + w, r : r + h]
        # FFT round-off leaves ~1e-13 noise where the true sum is 0; fields are non-negative.
        out = np.maximum(out, 0.0)
        return out[0] if isinstance(fields, np.ndarray) and fields.ndim == 2 else out


def at(field: np.ndarray, x, y) -> np.ndarray:
    """`field[x, y]` for arrays of cell coordinates, by flat index: `np.take` is several times
    faster than 2-D fancy indexing (0.2 vs 0.5 ms at 10⁵ points)."""
    return np.take(field, x * field.shape[1] + y)


def cell_sums(x: np.ndarray, y: np.ndarray, weights: np.ndarray | None, shape) -> np.ndarray:
    """Sum `weights` (or count) of points at integer cells (x, y) into a (W, H) array."""
    flat = np.bincount(x * shape[1] + y, weights=weights, minlength=shape[0] * shape[1])
    return flat.reshape(shape)


def convolve_naive(values: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Reference: the same convolution as direct sums over each cell's neighbours."""
    w, h = values.shape
    r = kernel.shape[0] // 2
    out = np.zeros_like(values, dtype=float)
    for i in range(w):
        for j in range(h):
            total = 0.0
            for di in range(-r, r + 1):
                for dj in range(-r, r + 1):
                    ii, jj = i + di, j + dj
                    if 0 <= ii < w and 0 <= jj < h:
                        total += kernel[di + r, dj + r] * values[ii, jj]
            out[i, j] = total
    return out
