"""Write N generated case files (variations of add/multiply/sum/mean/mse_loss over shapes) into a folder.

For trying the terminal, the report and the pytest plugin at the scale of hundreds of cases
without committing them: `python bench/generate_cases.py /tmp/gen/cases 500`. Most binary cases
pair equal shapes; three in ten pair shapes that only broadcast (losses diverge there from the
strict reference) and one in ten shapes that do not broadcast at all.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

SHAPES = [[4], [8], [3, 4], [16, 1], [16], [2, 3, 4], [1], [32, 8]]
# second operand per first: mostly the same shape; then one that broadcasts; rarely one that does not
PARTNERS = {"same": 6, "broadcast": 3, "incompatible": 1}
BROADCAST = {(4,): [1], (8,): [1], (3, 4): [4], (16, 1): [16], (16,): [1], (2, 3, 4): [3, 1], (1,): [8],
             (32, 8): [8]}
INCOMPATIBLE = {(4,): [8], (8,): [4], (3, 4): [4, 3], (16, 1): [8, 1], (16,): [4], (2, 3, 4): [2, 4],
                (1,): [2, 2], (32, 8): [8, 32]}
OPS = {  # family folder -> (op, step template, number of inputs)
    "elementwise": [("add", "y = add(a, b)", 2), ("multiply", "y = multiply(a, b)", 2)],
    "reduction": [("sum", "y = sum(a)", 1), ("mean", "y = mean(a, axis=0)", 1)],
    "losses": [("mse_loss", "y = mse_loss(a, b, reduction={reduction})", 2)],
}


def case_text(case_id: str, step: str, shapes: list[list[int]], seed: int, grad: bool) -> str:
    inputs = "\n".join(f"  {name}: {{shape: {shape}, dtype: float32, init: {{normal: {{seed: {seed + i}}}}}}}"
                       for i, (name, shape) in enumerate(zip("ab", shapes)))
    lines = [f"id: {case_id}", f"title: generated {case_id}", "tags: [generated]", "inputs:", inputs,
             "steps:", f"  - {step}"]
    if grad:
        lines.append("grad: {of: y, wrt: [a]}")
    return "\n".join(lines) + "\n"


def generate(folder: Path, count: int) -> list[Path]:
    partners = [kind for kind, weight in PARTNERS.items() for _ in range(weight)]
    variants = []
    for family, ops in OPS.items():
        for (op, template, arity), first, partner in itertools.product(ops, SHAPES, partners):
            second = {"same": first, "broadcast": BROADCAST[tuple(first)],
                      "incompatible": INCOMPATIBLE[tuple(first)]}[partner]
            for reduction in (("mean", "sum") if "{reduction}" in template else ("",)):
                variants.append((family, op, template.format(reduction=reduction), [first, second][:arity], reduction))
    written = []
    for n in range(count):
        family, op, step, shapes, reduction = variants[n % len(variants)]
        case_id = f"gen-{n:04d}-{op.replace('_', '-')}{'-' + reduction if reduction else ''}"
        grad = op == "mse_loss" and n % 2 == 0  # its result is a scalar (mean over an axis is not)
        path = folder / family / f"{case_id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(case_text(case_id, step, shapes, seed=n, grad=grad), encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("count", type=int, nargs="?", default=500)
    args = parser.parse_args()
    print(f"wrote {len(generate(args.folder, args.count))} case files under {args.folder}")


if __name__ == "__main__":
    main()
