"""Connection links (Chainer's names; each in its Chainer-named module)."""
from .linear import Linear  # noqa: F401

__all__ = ["Linear"]

# convolution, deconvolution and embedding links (helper H5's area)
from .convolution_2d import Convolution2D  # noqa: E402,F401
from .convolution_nd import Convolution1D, Convolution3D, ConvolutionND  # noqa: E402,F401
from .deconvolution_2d import Deconvolution2D  # noqa: E402,F401
from .deconvolution_nd import Deconvolution1D, Deconvolution3D, DeconvolutionND  # noqa: E402,F401,E501
from .depthwise_convolution_2d import DepthwiseConvolution2D  # noqa: E402,F401
from .dilated_convolution_2d import DilatedConvolution2D  # noqa: E402,F401
from .embed_id import EmbedID  # noqa: E402,F401
from .local_convolution_2d import LocalConvolution2D  # noqa: E402,F401

__all__ += ["Convolution1D", "Convolution2D", "Convolution3D", "ConvolutionND",
            "Deconvolution1D", "Deconvolution2D", "Deconvolution3D", "DeconvolutionND",
            "DepthwiseConvolution2D", "DilatedConvolution2D", "EmbedID", "LocalConvolution2D"]

# bilinear and highway links (helper H8's area)
from .bilinear import Bilinear  # noqa: E402,F401
from .highway import Highway  # noqa: E402,F401

__all__ += ["Bilinear", "Highway"]
from .deformable_convolution_2d import DeformableConvolution2D  # noqa: E402,F401

__all__ += ["DeformableConvolution2D"]

# bias, scale, parameter, mlpconv and inception links (helper ML's area)
from .bias import Bias  # noqa: E402,F401
from .inception import Inception  # noqa: E402,F401
from .inceptionbn import InceptionBN  # noqa: E402,F401
from .mlp_convolution_2d import MLPConvolution2D  # noqa: E402,F401
from .parameter import Parameter  # noqa: E402,F401
from .scale import Scale  # noqa: E402,F401

__all__ += ["Bias", "Inception", "InceptionBN", "MLPConvolution2D", "Parameter", "Scale"]
