"""Deep nets in NumPy, laid out as PyTorch's ``torch.nn``.

``functional`` holds the math as forward/backward pairs (``conv2d_forward`` -> ``(out, ctx)``,
``conv2d_backward(grad_out, ctx)`` -> gradients), ``layers`` the configuration (a ``Module``
holds parameters and calls the functional pair), ``losses`` PyTorch's loss family, ``init``
the initialisations, ``optim`` SGD and Adam (on :mod:`ece544core.update_rules`), ``gradcheck``
central differences, ``models`` MLP and LeNet, ``architectures`` the shapes and parameter
counts of LeNet ... ResNet-18, ``train`` a training loop that runs in chunks.
"""
from . import losses, parameter
from .parameter import Parameter

__all__ = ["Parameter", "parameter"]
