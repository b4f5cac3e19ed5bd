"""Model links (Chainer's names; each in its Chainer-named module)."""
from .classifier import Classifier  # noqa: F401

__all__ = ["Classifier"]

# vision models (helper ML's area)
from .vision.googlenet import GoogLeNet  # noqa: E402,F401
from .vision.resnet import ResNet50Layers, ResNet101Layers, ResNet152Layers  # noqa: E402,F401,E501
from .vision.vgg import VGG16Layers, VGG19Layers  # noqa: E402,F401

__all__ += ["GoogLeNet", "ResNet50Layers", "ResNet101Layers", "ResNet152Layers",
            "VGG16Layers", "VGG19Layers"]
