"""What the vision models share: Chainer's `prepare` of an image, the
layer-by-layer forward of `functions`, `extract`, `predict`, and finding a
pre-trained model's .npz under the dataset root.

`prepare` works on NumPy images without Pillow as long as no resizing is
needed (what it computes then is what Chainer's computes with Pillow: the
uint8 cast, grey to RGB, RGB to BGR, the mean, channels first); resizing and
PIL images need Pillow, as in Chainer.
"""
from __future__ import annotations

import os

import numpy

from ....configuration import get_dtype, no_backprop_mode, using_config
from ....dataset import download
from ....dataset.convert import concat_examples
from ....serializers import npz
from ....utils import argument, imgproc
from ....variable import Variable

try:
    from PIL import Image
    available = True
    _import_error = None
except ImportError as e:                 # Pillow is optional, as in Chainer
    Image = None
    available = False
    _import_error = e


def _no_pillow(what: str) -> ImportError:
    return ImportError(f"PIL cannot be loaded. Install Pillow! ({what} needs it)\n"
                       f"The actual import error is as follows:\n{_import_error}")


def _as_rgb_uint8(image: numpy.ndarray) -> numpy.ndarray:
    """Pillow's Image.fromarray(image.astype(uint8)).convert('RGB') on a
    (H, W), (H, W, 3) or (H, W, 4) array, without Pillow."""
    image = image.astype(numpy.uint8)
    if image.ndim == 2:
        return numpy.repeat(image[:, :, None], 3, axis=2)      # L -> RGB
    if image.ndim == 3 and image.shape[2] in (3, 4):
        return image[:, :, :3]                                 # RGBA -> RGB drops alpha
    raise ValueError("prepare: an image array must be (height, width), (height, width, "
                     f"channels) or (channels, height, width); got shape {image.shape}")


def prepare(image, size, mean):
    """Chainer's prepare: `image` (PIL image or array (H, W), (H, W, C) or
    (C, H, W), RGB) resized to `size` (width, height; None keeps it), as
    BGR minus `mean`, channels first, in config.dtype."""
    dtype = get_dtype()
    if isinstance(image, numpy.ndarray):
        if image.ndim == 3:
            if image.shape[0] == 1:
                image = image[0, :, :]
            elif image.shape[0] == 3:
                image = image.transpose((1, 2, 0))
        if available:
            image = Image.fromarray(image.astype(numpy.uint8))
        else:
            image = _as_rgb_uint8(image)
            if size and tuple(size) != (image.shape[1], image.shape[0]):
                raise _no_pillow(f"resizing an image of {image.shape[1]}x{image.shape[0]} "
                                 f"to {size[0]}x{size[1]}")
            size = None
    elif not available:
        raise _no_pillow("an image that is not a NumPy array")
    if available:
        image = image.convert("RGB")
        if size:
            image = image.resize(size)
    image = numpy.asarray(image, dtype=dtype)
    image = image[:, :, ::-1]
    image -= numpy.array(mean, dtype=dtype)
    return image.transpose((2, 0, 1))


def check_removed_kwargs(kwargs, **removed) -> None:
    if kwargs:
        argument.check_unexpected_kwargs(kwargs, **removed)
        argument.assert_kwargs_empty(kwargs)


_TEST = "test argument is not supported anymore. Use chainer.using_config"
_TRAIN = "train argument is not supported anymore. Use chainer.using_config"
_VOLATILE = "volatile argument is not supported anymore. Use chainer.using_config"


def run_layers(model, x, layers, keep=()):
    """The feature maps named in `layers`, computing `model.functions` in
    order up to the last one asked for. `keep`: (branch, from) pairs, a
    layer whose functions start from an earlier layer's output."""
    names = list(model.functions)
    unknown = [name for name in layers if name not in names]
    if unknown:
        raise ValueError(f"{type(model).__name__}: no layer named {unknown}; the "
                         f"layers are {names}")
    starts = dict(keep)
    saved = {}
    h = x
    activations = {}
    targets = set(layers)
    for key, funcs in model.functions.items():
        if not targets:
            break
        if key in starts:
            h = saved[starts[key]]
        for func in funcs:
            h = func(h)
        if key in targets:
            activations[key] = h
            targets.remove(key)
        if key in starts.values():
            saved[key] = h
    return activations


def extract(model, images, layers, size, prepare_one):
    x = concat_examples([prepare_one(img, size=size) for img in images])
    x = Variable(model.xp.asarray(x))
    return model(x, layers=layers)


def predict(model, images, oversample, prepare_one, mean_of_ten):
    """Class probabilities of `images`: 256x256 images, their ten crops
    (corners, center, mirrored) averaged, or the center 224x224 crop."""
    x = concat_examples([prepare_one(img, size=(256, 256)) for img in images])
    if oversample:
        x = imgproc.oversample(x, crop_dims=(224, 224))
    else:
        x = x[:, :, 16:240, 16:240]
    with no_backprop_mode(), using_config("train", False):
        x = Variable(model.xp.asarray(x))
        y = model(x, layers=["prob"])["prob"]
        if oversample:
            y = mean_of_ten(y)
    return y


def no_caffe(model_name: str, what: str) -> ImportError:
    return ImportError(
        f"{model_name}: converting {what} needs Chainer's Caffe reader "
        "(chainer.links.caffe.CaffeFunction, on Caffe's protobuf definitions), which "
        "kusari does not have. Convert it with Chainer 7 "
        f"({model_name}.convert_caffemodel_to_npz(caffemodel, npz)) and give the .npz "
        "file as pretrained_model, or place it in the models directory of the dataset "
        "root for pretrained_model='auto'")


def retrieve(model, name_npz: str, caffemodel: str, source: str) -> None:
    """Load the pre-trained `name_npz` from <dataset root>/pfnet/chainer/models
    into `model`; where it is not, say which file to place there."""
    root = download.get_dataset_directory("pfnet/chainer/models/")
    path = os.path.join(root, name_npz)

    def missing(_temp_path):
        raise OSError(
            f"{type(model).__name__}: the pre-trained model {path} does not exist. kusari "
            f"cannot make it: that takes downloading the caffemodel {caffemodel} "
            f"({source}) and converting it with Chainer's Caffe reader "
            "(chainer.links.caffe.CaffeFunction), which kusari does not have. Convert it "
            f"with Chainer 7 ({type(model).__name__}.convert_caffemodel_to_npz) and place "
            f"the .npz file at {path}, or pass pretrained_model=None for a randomly "
            "initialized model")

    download.cache_or_load_file(path, missing, lambda p: npz.load_npz(p, model))
