"""model.transport.cell_distance: the table of np.hypot gives np.hypot's own numbers."""

import numpy as np
import pytest

from model.transport import cell_distance


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.int16])
def test_cell_distance_equals_hypot_bit_for_bit_over_the_offsets_of_a_large_grid(dtype):
    r = np.arange(-1200, 1201, 7).astype(dtype)
    dx, dy = np.meshgrid(r, r)
    got, expected = cell_distance(dx, dy), np.hypot(dx, dy)
    assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_cell_distance_broadcasts_and_passes_other_inputs_to_hypot():
    sx = np.array([[0, 3, 10], [5, 5, 5]], np.int32)
    bx = np.array([[1], [2]], np.int32)
    got = cell_distance(sx - bx, np.int64(4) - bx)
    assert got.shape == (2, 3) and np.array_equal(got, np.hypot(sx - bx, 4 - bx))
    assert cell_distance(np.array([1.5]), np.array([2.0]))[0] == np.hypot(1.5, 2.0)
    assert cell_distance(3, -4) == 5.0
    assert cell_distance(np.zeros(0, int), np.zeros(0, int)).shape == (0,)
