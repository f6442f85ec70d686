"""TensorFlow's start-up lines are dropped from file descriptor 2; every other line passes."""

import os

from components.tensorflow_quiet import start_up_noise_filtered

# As TensorFlow 2.21 writes them on loading (the last two are one notice).
NOISE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796240866.823148   10295 port.cc:153] oneDNN custom operations are on. You may see ...\n"
    "I0000 00:00:1796240866.859015   10295 cpu_feature_guard.cc:227] This TensorFlow binary is optimized ...\n"
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the "
    "appropriate compiler flags.\n"
)


def test_only_the_start_up_noise_is_dropped(capfd):
    with start_up_noise_filtered():
        os.write(2, NOISE.encode())
        os.write(2, b"Could not load dynamic library 'libcudart.so.12'\n")
    assert capfd.readouterr().err == "Could not load dynamic library 'libcudart.so.12'\n"
