"""Vision models (Chainer's chainer.links.model.vision): VGG16/19
(vgg), GoogLeNet (googlenet), ResNet50/101/152 (resnet)."""
