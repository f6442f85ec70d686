import numpy as np

from components import report
from components.steps.evaluate import misclassified_rows


def test_misclassified_rows_are_really_misclassified():
    labels = np.array([0, 1, 2, 1, 0, 2])
    predicted = np.array([0, 2, 2, 0, 0, 1])
    rows = misclassified_rows(labels, predicted, most=16)
    assert rows.tolist() == [1, 3, 5]
    assert len(misclassified_rows(labels, predicted, most=2)) == 2
    assert misclassified_rows(labels, labels, most=16).size == 0


def test_example_grid_draws_each_row_with_true_and_predicted_class():
    drawn = []
    table = {"image": np.zeros((6, 4, 4, 3), np.uint8)}
    html = report.example_grid(
        lambda ax, t, row: drawn.append(row) or ax.imshow(t["image"][row]),
        table,
        [1, 3],
        np.array([0, 1, 2, 1, 0, 2]),
        np.array([0, 2, 2, 0, 0, 1]),
        ["a", "b", "c"],
    )
    assert drawn == [1, 3] and html.startswith('<img alt="" src="data:image/png;base64,')
    assert "No misclassified" in report.example_grid(None, table, [], None, None, ["a"])
