"""kusari.training.updaters: StandardUpdater's bookkeeping, inputs and snapshots;
ParallelUpdater on CPU threads against the same update computed in one model;
MultiprocessParallelUpdater's error without NCCL."""
import io

import numpy as np
import pytest

import kusari
import kusari.functions as F
import kusari.links as L
from kusari import serializers, training
from kusari.datasets import TupleDataset
from kusari.iterators import SerialIterator
from kusari.training.updaters import multiprocess_parallel_updater as mpu


def data(n=12, dtype=np.float32):
    rng = np.random.default_rng(0)
    return TupleDataset(rng.standard_normal((n, 4)).astype(dtype),
                        rng.integers(0, 3, n).astype(np.int32))


def model_and_optimizer(seed=0, dtype=np.float32, opt=None):
    rng = np.random.default_rng(seed)
    lin = L.Linear(4, 3, initialW=rng.standard_normal((3, 4)).astype(dtype),
                   initial_bias=kusari.initializers.Zero(dtype))
    model = L.Classifier(lin)
    opt = opt or kusari.optimizers.SGD(lr=0.1)
    opt.setup(model)
    return model, opt


def test_standard_updater_counts_and_epochs():
    model, opt = model_and_optimizer()
    it = SerialIterator(data(12), 5, shuffle=False)
    up = training.updaters.StandardUpdater(it, opt)
    assert up.device is None and up.input_device is None and up.loss_func is None
    assert opt.use_auto_new_epoch
    seen = []
    for _ in range(5):
        up.update()
        seen.append((up.iteration, up.epoch, round(up.epoch_detail, 6),
                     up.is_new_epoch, opt.epoch))
    assert seen == [(i, e, round(i * 5 / 12, 6), new, e) for i, e, new in
                    [(1, 0, False), (2, 0, False), (3, 1, True), (4, 1, False),
                     (5, 2, True)]]
    assert up.previous_epoch_detail == pytest.approx(20 / 12)
    assert up.get_iterator("main") is it
    assert up.get_optimizer("main") is opt
    assert up.get_all_optimizers() == {"main": opt}
    assert up.get_all_optimizers() is not up._optimizers


def test_auto_new_epoch_off():
    model, opt = model_and_optimizer()
    up = training.updaters.StandardUpdater(SerialIterator(data(4), 2), opt,
                                           auto_new_epoch=False)
    for _ in range(4):
        up.update()
    assert opt.epoch == 0 and not opt.use_auto_new_epoch


def test_standard_updater_step_equals_optimizer_update():
    model, opt = model_and_optimizer()
    ref, ref_opt = model_and_optimizer()
    ds = data(8)
    up = training.updaters.StandardUpdater(SerialIterator(ds, 4, shuffle=False), opt)
    up.update()
    x, t = kusari.dataset.concat_examples(ds[:4])
    ref_opt.update(ref, x, t)
    for (n, a), (_, b) in zip(model.namedparams(), ref.namedparams()):
        np.testing.assert_array_equal(a.array, b.array, err_msg=n)


def test_inputs_as_dict_and_loss_func_and_converter():
    got = []

    class Opt:
        target = kusari.Link()
        use_auto_new_epoch = False

        def update(self, lossfun, *args, **kwargs):
            got.append((lossfun, args, kwargs))

        def new_epoch(self, auto=False):
            pass

    ds = [{"x": np.float32(i), "y": np.int32(i)} for i in range(4)]
    loss = object()
    up = training.updaters.StandardUpdater(SerialIterator(ds, 2, shuffle=False), Opt(),
                                           loss_func=loss, auto_new_epoch=False)
    up.update()
    lossfun, args, kwargs = got[0]
    assert lossfun is loss and args == () and set(kwargs) == {"x", "y"}
    np.testing.assert_array_equal(kwargs["x"], [0., 1.])

    devices = []

    def converter(batch, device):
        devices.append(device)
        return np.asarray(batch)
    up = training.updaters.StandardUpdater(SerialIterator([1, 2], 2), Opt(),
                                           converter=converter, device=-1)
    up.update()
    assert devices == [-1]                      # an old-style converter gets -1
    assert up.device == kusari.get_device("@numpy")
    lossfun, args, kwargs = got[1]
    assert lossfun is Opt.target and len(args) == 1 and kwargs == {}


def test_serialize_resumes_the_same_training():
    # (no shuffling: the order of an epoch begun after the resume is drawn
    # from NumPy's global generator, which snapshots do not hold, in Chainer too)
    ds = data(12)

    def build(seed):
        model, opt = model_and_optimizer(seed, opt=kusari.optimizers.MomentumSGD(lr=0.1))
        return model, training.updaters.StandardUpdater(
            SerialIterator(ds, 5, shuffle=False), opt)

    np.random.seed(3)
    whole_model, whole = build(0)
    for _ in range(6):
        whole.update()

    np.random.seed(3)
    _, first = build(0)
    for _ in range(3):
        first.update()
    f = io.BytesIO()
    serializers.save_npz(f, first)
    keys = set(np.load(io.BytesIO(f.getvalue())).files)
    assert "iteration" in keys
    assert any(k.startswith("iterator:main/") for k in keys)
    assert any(k.startswith("optimizer:main/") for k in keys)
    assert "model:main/predictor/W" in keys

    resumed_model, resumed = build(7)
    serializers.load_npz(io.BytesIO(f.getvalue()), resumed)
    assert resumed.iteration == 3 and resumed.epoch_detail == first.epoch_detail
    for _ in range(3):
        resumed.update()
    for (n, a), (_, b) in zip(whole_model.namedparams(), resumed_model.namedparams()):
        np.testing.assert_array_equal(a.array, b.array, err_msg=n)


def test_finalize_finalizes_every_iterator():
    class It(SerialIterator):
        finalized = 0

        def finalize(self):
            type(self).finalized += 1
    model, opt = model_and_optimizer()
    up = training.updaters.StandardUpdater({"main": It(data(), 2), "aux": It(data(), 2)},
                                           {"main": opt})
    up.finalize()
    assert It.finalized == 2


def test_loss_scale_is_given_to_the_optimizers():
    model, opt = model_and_optimizer()
    training.updaters.StandardUpdater(SerialIterator(data(), 2), opt, loss_scale=8.0)
    assert opt._loss_scale == 8.0


def test_bad_arguments():
    model, opt = model_and_optimizer()
    with pytest.raises(TypeError):
        training.updaters.StandardUpdater(SerialIterator(data(), 2), opt, bogus=1)


# -- ParallelUpdater on the CPU -------------------------------------------------------

def test_parallel_updater_equals_summed_gradients_on_cpu():
    ds = data(12, np.float64)
    model, opt = model_and_optimizer(dtype=np.float64)
    up = training.updaters.ParallelUpdater(
        SerialIterator(ds, 6, shuffle=False), opt,
        devices={"main": "@numpy", "second": "@numpy", "third": "@numpy"})
    assert set(up._models) == {"main", "second", "third"}
    assert up._models["second"] is not model

    ref, ref_opt = model_and_optimizer(dtype=np.float64)

    def split_loss(x, t):
        return sum(ref(x[i::3], t[i::3]) for i in range(3))
    ref_it = SerialIterator(ds, 6, shuffle=False)
    for _ in range(4):
        up.update()
        x, t = kusari.dataset.concat_examples(ref_it.next())
        ref_opt.update(split_loss, x, t)
        for name in ("main", "second", "third"):
            for (n, a), (_, b) in zip(up._models[name].namedparams(), ref.namedparams()):
                np.testing.assert_allclose(a.array, b.array, rtol=1e-12, err_msg=n)
    assert up.iteration == 4 and opt.epoch == 2
    up.finalize()
    assert up._pool is None


def test_parallel_updater_reports_from_each_model(tmp_path):
    model, opt = model_and_optimizer()
    up = training.updaters.ParallelUpdater(
        SerialIterator(data(), 4), opt, devices={"main": "@numpy", "sub": "@numpy"})
    trainer = training.Trainer(up, (2, "iteration"), out=str(tmp_path))
    seen = []
    trainer.extend(lambda t: seen.append(sorted(t.observation)))
    with kusari.using_config("train", True):
        trainer.run()
    assert seen == [["main/accuracy", "main/loss", "sub/accuracy", "sub/loss"]] * 2


def test_parallel_updater_config_reaches_the_threads():
    flags = []

    class Probe(kusari.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l = L.Linear(4, 1)

        def forward(self, x, t):
            flags.append(kusari.config.train)
            return F.sum(self.l(x))

    probe = Probe()
    opt = kusari.optimizers.SGD()
    opt.setup(probe)
    up = training.updaters.ParallelUpdater(
        SerialIterator(data(), 4), opt, devices={"main": "@numpy", "b": "@numpy"})
    with kusari.using_config("train", False):
        up.update()
    up.finalize()
    assert flags == [False, False]


def test_parallel_updater_arguments():
    model, opt = model_and_optimizer()
    it = SerialIterator(data(), 2)
    with pytest.raises(ValueError, match="either models or devices"):
        training.updaters.ParallelUpdater(it, opt)
    with pytest.raises(KeyError, match="'main'"):
        training.updaters.ParallelUpdater(it, opt, devices={"a": "@numpy"})


# -- MultiprocessParallelUpdater ------------------------------------------------------

@pytest.mark.skipif(mpu.MultiprocessParallelUpdater.available(), reason="NCCL present")
def test_multiprocess_parallel_updater_needs_nccl():
    model, opt = model_and_optimizer()
    with pytest.raises(Exception, match="NCCL is not enabled"):
        mpu.MultiprocessParallelUpdater([SerialIterator(data(), 2)], opt,
                                        devices=["@cupy:0"])


def test_gather_on_cpu_refused():
    model, _ = model_and_optimizer()
    with pytest.raises(RuntimeError, match="works only on GPU"):
        mpu.gather_grads(model)
    with pytest.raises(RuntimeError, match="works only on GPU"):
        mpu.gather_params(model)
    assert mpu.size_num_grads(model) == (15, 2)


def test_module_paths():
    assert training.updater.StandardUpdater is training.StandardUpdater
    assert training.updaters.ParallelUpdater is training.ParallelUpdater
    assert issubclass(training.StandardUpdater, training.Updater)
