import keras
import pytest

from components.studies.digits.models import recurrent_classifier
from components.studies.digits.variants import VARIANTS, parse_variant


def _recurrent(model):
    return [layer for layer in model.layers if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))]


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_seed_network_builds_with_its_layers_and_a_float32_softmax(name):
    spec = VARIANTS[name]
    model = recurrent_classifier(spec, points=50, classes=10)
    assert model.input_shape == (None, 50, 2) and model.output_shape == (None, 10)
    assert (
        model.layers[-1].activation.__name__ == "softmax" and model.layers[-1].dtype_policy.compute_dtype == "float32"
    )
    recurrent = _recurrent(model)
    assert len(recurrent) == len(spec.units)
    cells = [r.forward_layer if spec.bidirectional else r for r in recurrent]
    assert [c.units for c in cells] == list(spec.units)
    assert [c.return_sequences for c in cells] == [True] * (len(spec.units) - 1) + [False]
    assert all(c.dropout == spec.cell_dropout and c.recurrent_dropout == spec.recurrent_dropout for c in cells)
    dropouts = [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert dropouts == [r for r in spec.dropout if r]
    assert isinstance(model.optimizer, keras.optimizers.Nadam)
    assert float(model.optimizer.learning_rate) == pytest.approx(spec.learning_rate)


def test_the_seed_layer_sizes():
    model = recurrent_classifier(parse_variant("gru4x64"), points=50, classes=10)
    assert [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)] == [0.3, 0.3, 0.3, 0.5]
    assert [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)] == [32, 10]
    lstm = recurrent_classifier(parse_variant("deep_bilstm"), points=50, classes=10)
    assert [type(r.forward_layer).__name__ for r in _recurrent(lstm)] == ["LSTM", "LSTM"]
    assert [layer.units for layer in lstm.layers if isinstance(layer, keras.layers.Dense)] == [128, 10]
