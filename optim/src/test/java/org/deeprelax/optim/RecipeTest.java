package org.deeprelax.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;
import org.junit.jupiter.api.Test;

/** The recipes: the reference code's settings where they exist, equal gradient budgets for the baselines. */
class RecipeTest {

    @Test
    void theEntropySgdRecipeIsTheLuaCodes() {
        Recipe r = Recipe.of("lenet", "entropy-sgd");
        EntropySgd.Settings s = (EntropySgd.Settings) r.settings();
        assertEquals(20, s.innerSteps());
        assertEquals(0.1f, s.innerLr());
        assertEquals(new Scoping(1e-4f, 1e-3f), s.scoping());
        assertEquals(1e-3f, s.noise());
        assertEquals(EntropySgd.Noise.CODE, s.noiseConvention());
        assertEquals(0.25f, s.alpha());
        assertEquals(Momentum.nesterov(0.9f), s.innerMomentum(), "Nesterov 0.9 on the inner gradient");
        assertEquals(MomentumPlacement.GRADIENT, s.placement());
        assertEquals(Momentum.NONE, s.outerMomentum(), "no outer momentum");
        assertEquals(1f, s.lr(), "the outer lr is the schedule's first");
        assertEquals(null, s.seed(), "the noise seed is the model's");
        assertEquals("1:1.0,3:0.1,8:0.01", r.schedule().toString());
        assertEquals(5, r.epochs());
        assertEquals(100, r.effectiveEpochs());
        assertTrue(r.reestimateBatchNorm());
        EntropySgd.Settings cifar = (EntropySgd.Settings) Recipe.of("allcnn", "entropy-sgd").settings();
        assertEquals(0.03f, cifar.scoping().gamma0());
        assertEquals(1e-3f, cifar.weightDecay());
    }

    @Test
    void theBaselinesMatchSgdsBudgetInGradientEvaluations() {
        for (String net : Recipe.NETWORKS) {
            int sgd = Recipe.of(net, "sgd").effectiveEpochs();
            for (String opt : Recipe.OPTIMIZERS) {
                Recipe r = Recipe.of(net, opt);
                if (!opt.equals("entropy-sgd") && !opt.equals("hj") && !opt.equals("parle")) {
                    assertEquals(sgd, r.effectiveEpochs(), net + " " + opt);
                }
                assertEquals(r.schedule().at(1), r.settings().lr(), net + " " + opt);
                assertEquals(128, r.batchSize());
            }
        }
        assertInstanceOf(Sam.Settings.class, Recipe.of("mnistfc", "sam").settings());
        Sam.Settings asam = (Sam.Settings) Recipe.of("mnistfc", "asam").settings();
        assertTrue(asam.adaptive());
        assertEquals(0.5f, asam.rho());
        Adam.Settings adamw = (Adam.Settings) Recipe.of("lenet", "adamw").settings();
        assertTrue(adamw.decoupled());
        assertFalse(((Adam.Settings) Recipe.of("lenet", "adam").settings()).decoupled());
        assertEquals(Hj.Form.FP, ((Hj.Settings) Recipe.of("lenet", "hj").settings()).form());
        Parle.Settings elastic = (Parle.Settings) Recipe.of("lenet", "elastic-sgd").settings();
        assertEquals(0, elastic.innerSteps(), "Elastic-SGD is Parle with L = 0");
        Parle.Settings parle = (Parle.Settings) Recipe.of("lenet", "parle").settings();
        assertEquals(Parle.defaults().lr(0.1f).build(), parle);
        assertEquals(125, Recipe.of("lenet", "parle").effectiveEpochs());
    }

    @Test
    void everyRecipeCreatesItsOptimizer() {
        ParameterArena p = TinyMlp.arena(4, 5, 1);
        for (String opt : Recipe.OPTIMIZERS) {
            Recipe r = Recipe.of("lenet", opt);
            Optimizer o = r.create(p);
            assertEquals(r.settings().evaluationsPerStep(), o.evaluationsPerStep(), opt);
            assertEquals(r.settings().lr(), o.learningRate(), opt);
        }
    }

    @Test
    void unknownNamesListTheChoices() {
        assertEquals("no recipe for optimizer 'rmsprop'; there are recipes for sgd, entropy-sgd, hj, adam, adamw, sam, asam, parle,"
                + " elastic-sgd",
                assertThrows(IllegalArgumentException.class, () -> Recipe.of("lenet", "rmsprop")).getMessage());
        assertEquals("no recipe for network 'resnet'; there are recipes for mnistfc, lenet, allcnn",
                assertThrows(IllegalArgumentException.class, () -> Recipe.of("resnet", "sgd")).getMessage());
    }
}
