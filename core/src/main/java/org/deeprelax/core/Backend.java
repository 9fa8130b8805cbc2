package org.deeprelax.core;

import org.deeprelax.core.update.FusedUpdates;

/**
 * Every primitive the tensor operations need, over contiguous float32 tensor views.
 *
 * <p>The interface is shaped to map one-to-one onto a GPU library: {@link #gemm} is a cuBLAS SGEMM,
 * the convolution, pooling and batch-norm calls match cuDNN's forward/backward pairs (batch-norm saves
 * the batch mean and inverse standard deviation exactly as cuDNN does), and everything else is one
 * elementwise or reduction kernel. Calls never return device data to the host except the scalar
 * reductions {@link #sum}, {@link #dot} and {@link #norm2}, which exist for monitoring and tests.
 *
 * <p>Conventions: every tensor argument lives on this backend and is contiguous; output tensors are
 * allocated by the caller with the documented shape and are overwritten unless a method says it
 * accumulates; "NCHW" 4-D activations, {@code [n, c]} 2-D activations are treated as {@code [n, c, 1, 1]}.
 * Shape checking is the caller's job (the autograd operations do it, with messages naming the op);
 * backends may assume consistent shapes.
 */
public interface Backend {

    /**
     * Returns a short name for messages, such as {@code cpu} or {@code cuda:0}.
     *
     * @return a short name for messages, such as {@code cpu} or {@code cuda:0}
     */
    String name();

    // ---- memory -------------------------------------------------------------------------------

    /**
     * Allocates zero-filled storage.
     *
     * @param size number of elements
     * @return new storage, zero-filled
     */
    Storage allocate(int size);

    /**
     * Copies {@code t}'s elements to the host.
     *
     * @param t the tensor
     * @param dst destination array
     * @param dstOffset first element written
     */
    void read(Tensor t, float[] dst, int dstOffset);

    /**
     * Copies host elements into {@code t}.
     *
     * @param src source array
     * @param srcOffset first element read
     * @param t the tensor, overwritten
     */
    void write(float[] src, int srcOffset, Tensor t);

    // ---- in-place elementwise (the optimizers' vocabulary) --------------------------------------

    /**
     * Fills a tensor with one value.
     *
     * @param x filled with {@code value} everywhere
     * @param value the value
     */
    void fill(Tensor x, float value);

    /**
     * Copies one tensor into another of the same size.
     *
     * @param src read
     * @param dst overwritten with src (same size)
     */
    void copy(Tensor src, Tensor dst);

    /**
     * {@code y += alpha·x} (same size).
     *
     * @param alpha scale
     * @param x read
     * @param y updated
     */
    void axpy(float alpha, Tensor x, Tensor y);

    /**
     * {@code x *= alpha}.
     *
     * @param alpha scale
     * @param x updated
     */
    void scale(float alpha, Tensor x);

    // ---- elementwise with broadcasting ----------------------------------------------------------

    /**
     * {@code out = a op b}, with a and b broadcast (NumPy rules) to {@code out}'s shape.
     *
     * @param op the operation
     * @param a left operand
     * @param b right operand
     * @param out result, of the broadcast shape
     */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /**
     * Applies a unary operation elementwise: {@code out = op(x)}.
     *
     * @param op the operation
     * @param a the operation's first scalar (POW's exponent, CLAMP's lower bound, AFFINE's scale); ignored
     *     by the others
     * @param b the operation's second scalar (CLAMP's upper bound, AFFINE's shift); ignored by the others
     * @param x input
     * @param out result, same size; may be {@code x} itself
     */
    void unary(UnaryOp op, float a, float b, Tensor x, Tensor out);

    /**
     * The backward of {@link #unary}: {@code dx = dy · op'(x)}, each operation's derivative written in
     * whichever of its input and output is cheaper (see {@link UnaryOp}).
     *
     * @param op the operation
     * @param a the forward's first scalar
     * @param b the forward's second scalar
     * @param x the forward's input
     * @param y the forward's output
     * @param dy gradient of the output
     * @param dx gradient of the input, overwritten
     */
    void unaryBackward(UnaryOp op, float a, float b, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /**
     * Copies elements between two strided layouts: for every multi-index {@code i} of {@code dims},
     * {@code dst[dstStart + Σ i_d·dstStrides[d]] = src[srcStart + Σ i_d·srcStrides[d]]}, positions counted
     * from each tensor's first element. Broadcasting (stride 0 in {@code src}), transposition (permuted
     * strides), slicing and concatenation (a block of a larger tensor on either side) are all this copy.
     *
     * @param src read
     * @param srcStart position of the first element read, relative to {@code src}'s offset
     * @param srcStrides a stride per axis of {@code dims} into {@code src}; 0 repeats an element
     * @param dst written at the positions the strides reach, other elements untouched
     * @param dstStart position of the first element written, relative to {@code dst}'s offset
     * @param dstStrides a stride per axis of {@code dims} into {@code dst}; distinct multi-indices must
     *     reach distinct positions
     * @param dims the extent of the copy
     */
    void copyStrided(Tensor src, int srcStart, int[] srcStrides, Tensor dst, int dstStart, int[] dstStrides,
                     int[] dims);

    /**
     * Gathers slices along an axis: with {@code x} viewed as {@code [outer, x.dim(axis), inner]} and
     * {@code out} as {@code [outer, k, inner]}, {@code out[o, j, i] = x[o, index[j], i]}.
     *
     * @param x input
     * @param axis the axis indexed
     * @param index {@code [k]}, positions along {@code axis} held as floats; the caller has checked them
     * @param out result: {@code x}'s shape with {@code k} along {@code axis}
     */
    void indexSelect(Tensor x, int axis, Tensor index, Tensor out);

    /**
     * The backward of {@link #indexSelect}: {@code out[o, index[j], i] += src[o, j, i]}, accumulating in
     * the order of {@code j} where an index repeats, so the result is deterministic.
     *
     * @param src {@code [outer, k, inner]} around {@code axis}
     * @param axis the axis indexed
     * @param index {@code [k]}, positions along {@code axis} held as floats
     * @param out accumulated into; {@code src}'s shape but for its extent along {@code axis}
     */
    void indexAdd(Tensor src, int axis, Tensor index, Tensor out);

    // ---- reductions -----------------------------------------------------------------------------

    /**
     * Sums {@code x} over every axis where {@code out} has size 1 and {@code x} does not.
     * {@code out} has {@code x}'s rank (reduced axes kept with size 1).
     *
     * @param x input
     * @param out result
     */
    void reduceSum(Tensor x, Tensor out);

    /**
     * The maximum along one axis and where it is: with {@code x} viewed as {@code [outer, len, inner]},
     * {@code values[o, i] = max_j x[o, j, i]} and {@code indices[o, i]} the first {@code j} that attains it.
     * A NaN counts as larger than every number, so it propagates.
     *
     * @param x input
     * @param axis the axis reduced
     * @param values {@code [outer·inner]} elements (any shape of that size), overwritten
     * @param indices same size, overwritten with the positions, held as floats
     */
    void maxAlongAxis(Tensor x, int axis, Tensor values, Tensor indices);

    /**
     * The backward of {@link #maxAlongAxis}: {@code dx[o, j, i] = j == indices[o, i] ? dy[o, i] : 0}.
     *
     * @param indices the positions the forward found
     * @param dy gradient of the values
     * @param axis the axis reduced
     * @param dx gradient of the input, overwritten
     */
    void maxAlongAxisBackward(Tensor indices, Tensor dy, int axis, Tensor dx);

    /**
     * Returns the sum of its elements, accumulated in double.
     *
     * @param x a tensor
     * @return the sum of its elements, accumulated in double
     */
    double sum(Tensor x);

    /**
     * Returns Σ xᵢyᵢ, accumulated in double.
     *
     * @param x a tensor
     * @param y another of the same size
     * @return Σ xᵢyᵢ, accumulated in double
     */
    double dot(Tensor x, Tensor y);

    /**
     * Returns the Euclidean norm, accumulated in double.
     *
     * @param x a tensor
     * @return the Euclidean norm, accumulated in double
     */
    double norm2(Tensor x);

    // ---- dense linear algebra -------------------------------------------------------------------

    /**
     * {@code c = alpha·op(a)·op(b) + beta·c} for 2-D row-major tensors; op(a) is m×k, op(b) k×n.
     * With {@code beta == 0}, c's old contents are ignored.
     *
     * @param transA whether a is stored k×m
     * @param transB whether b is stored n×k
     * @param alpha product scale
     * @param a left matrix
     * @param b right matrix
     * @param beta scale of c's old value
     * @param c result, m×n
     */
    void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c);

    // ---- softmax and cross-entropy --------------------------------------------------------------

    /**
     * Softmax (or log-softmax) along {@code axis}, numerically stable (max subtracted).
     *
     * @param x input
     * @param axis normalised axis
     * @param log whether to produce log-softmax
     * @param y output, same shape
     */
    void softmax(Tensor x, int axis, boolean log, Tensor y);

    /**
     * Softmax backward from the forward output: {@code dx = y·(dy − Σ dy·y)}, or for log-softmax
     * {@code dx = dy − exp(y)·Σ dy}.
     *
     * @param y the forward output
     * @param dy gradient of the output
     * @param axis normalised axis
     * @param log whether the forward was log-softmax
     * @param dx gradient of the input, overwritten
     */
    void softmaxBackward(Tensor y, Tensor dy, int axis, boolean log, Tensor dx);

    /**
     * Mean cross-entropy of logits {@code [n, c]} against class indices, fused with the softmax.
     *
     * @param logits {@code [n, c]}
     * @param labels {@code [n]}, class indices held as floats
     * @param probs {@code [n, c]}, overwritten with the softmax, saved for the backward
     * @param loss a one-element tensor, overwritten with the mean loss
     * @throws IllegalArgumentException (on backends that can check synchronously) naming a label
     *     outside {@code [0, c)}
     */
    void crossEntropyForward(Tensor logits, Tensor labels, Tensor probs, Tensor loss);

    /**
     * {@code dlogits = gradLoss·(probs − onehot(labels)) / n}.
     *
     * @param probs the softmax saved by the forward
     * @param labels {@code [n]}
     * @param gradLoss one-element gradient of the mean loss
     * @param dlogits overwritten
     */
    void crossEntropyBackward(Tensor probs, Tensor labels, Tensor gradLoss, Tensor dlogits);

    // ---- convolution and pooling (cuDNN's calls) ------------------------------------------------

    /**
     * Convolution forward (cuDNN's {@code cudnnConvolutionForward}).
     *
     * @param g sizes
     * @param x input
     * @param w filters
     * @param y output, overwritten
     */
    void conv2dForward(ConvGeometry g, Tensor x, Tensor w, Tensor y);

    /**
     * Convolution backward to the input (cuDNN's {@code cudnnConvolutionBackwardData}).
     *
     * @param g sizes
     * @param dy output gradient
     * @param w filters
     * @param dx input gradient, overwritten
     */
    void conv2dBackwardData(ConvGeometry g, Tensor dy, Tensor w, Tensor dx);

    /**
     * Convolution backward to the filters (cuDNN's {@code cudnnConvolutionBackwardFilter}).
     *
     * @param g sizes
     * @param x input
     * @param dy output gradient
     * @param dw filter gradient, overwritten
     */
    void conv2dBackwardFilter(ConvGeometry g, Tensor x, Tensor dy, Tensor dw);

    /**
     * Max pooling forward.
     *
     * @param g sizes
     * @param x input
     * @param y output, overwritten
     */
    void maxPoolForward(PoolGeometry g, Tensor x, Tensor y);

    /**
     * Max pooling backward.
     *
     * @param g sizes
     * @param x forward input
     * @param y forward output
     * @param dy output gradient
     * @param dx input gradient, overwritten; each window's gradient goes to the first maximum in row-major order
     */
    void maxPoolBackward(PoolGeometry g, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /**
     * Average pooling forward.
     *
     * @param g sizes
     * @param x input
     * @param y output (window mean, padding counted), overwritten
     */
    void avgPoolForward(PoolGeometry g, Tensor x, Tensor y);

    /**
     * Average-pool backward: each output gradient spread evenly over its window (padding counted).
     *
     * @param g sizes
     * @param x forward input (its values do not enter the result; cuDNN's call takes it, so it is passed)
     * @param y forward output (likewise)
     * @param dy output gradient
     * @param dx input gradient, overwritten
     */
    void avgPoolBackward(PoolGeometry g, Tensor x, Tensor y, Tensor dy, Tensor dx);

    // ---- batch normalisation (per channel of NCHW, or per feature of [n, c]) --------------------

    /**
     * Training-mode batch-norm with batch statistics; updates the running averages
     * {@code r = (1 − momentum)·r + momentum·batch} (variance unbiased, as PyTorch).
     *
     * @param x input
     * @param gamma scale {@code [c]}
     * @param beta shift {@code [c]}
     * @param eps added to the variance
     * @param momentum weight of the batch statistics in the running averages
     * @param runningMean {@code [c]}, updated
     * @param runningVar {@code [c]}, updated
     * @param y output, overwritten
     * @param saveMean {@code [c]}, overwritten with the batch mean
     * @param saveInvStd {@code [c]}, overwritten with 1/√(biased variance + eps)
     */
    void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, float eps, float momentum,
                                  Tensor runningMean, Tensor runningVar, Tensor y, Tensor saveMean, Tensor saveInvStd);

    /**
     * Evaluation-mode batch-norm with the running averages.
     *
     * @param x input
     * @param gamma scale
     * @param beta shift
     * @param runningMean mean used
     * @param runningVar variance used
     * @param eps added to the variance
     * @param y output, overwritten
     */
    void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   float eps, Tensor y);

    /**
     * Training-mode batch-norm backward.
     *
     * @param x forward input
     * @param dy output gradient
     * @param gamma scale
     * @param saveMean batch mean from the forward
     * @param saveInvStd batch inverse standard deviation from the forward
     * @param eps the epsilon the forward used (cuDNN requires the same value in both passes)
     * @param dx input gradient, overwritten
     * @param dgamma scale gradient, overwritten
     * @param dbeta shift gradient, overwritten
     */
    void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, float eps,
                           Tensor dx, Tensor dgamma, Tensor dbeta);

    // ---- layer normalisation (over the trailing axes of each row) --------------------------------

    /**
     * Layer normalisation: with {@code x} viewed as {@code [rows, cols]}, {@code cols = gamma.size()},
     * {@code y = (x − mean)·invStd·gamma + beta} per row, where {@code mean} and the biased variance are
     * the row's and {@code invStd = 1/√(variance + eps)}.
     *
     * @param x input
     * @param gamma scale, {@code cols} elements
     * @param beta shift, {@code cols} elements
     * @param eps added to the variance
     * @param y output, overwritten
     * @param saveMean {@code rows} elements, overwritten with each row's mean
     * @param saveInvStd {@code rows} elements, overwritten with each row's {@code invStd}
     */
    void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor saveMean,
                          Tensor saveInvStd);

    /**
     * Layer normalisation's backward, from the statistics the forward saved.
     *
     * @param x forward input
     * @param dy output gradient
     * @param gamma scale
     * @param saveMean each row's mean
     * @param saveInvStd each row's inverse standard deviation
     * @param dx input gradient, overwritten
     * @param dgamma scale gradient, overwritten
     * @param dbeta shift gradient, overwritten
     */
    void layerNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor dx,
                           Tensor dgamma, Tensor dbeta);

    // ---- fused optimizer updates ----------------------------------------------------------------

    /**
     * The fused optimizer updates of this backend: SGD, Entropy-SGD's Langevin and outer steps, HJ's
     * fixed-point steps, Adam and SAM's ascent, each one pass over flat arenas.
     *
     * @return this backend's updates, one instance for the backend's lifetime
     */
    FusedUpdates updates();

    // ---- random numbers (Philox4x32-10, the same integers on every backend) ---------------------

    /**
     * Element i gets {@code lo + (hi − lo)·uniform(seed, stream, first + i)}.
     *
     * @param x filled
     * @param lo lower bound
     * @param hi upper bound
     * @param seed Philox key
     * @param stream Philox stream
     * @param first index of element 0's draw
     */
    void fillUniform(Tensor x, float lo, float hi, long seed, long stream, long first);

    /**
     * Element i gets {@code mean + std·normal(seed, stream, first + i)}.
     *
     * @param x filled
     * @param mean mean
     * @param std standard deviation
     * @param seed Philox key
     * @param stream Philox stream
     * @param first index of element 0's draw
     */
    void fillNormal(Tensor x, float mean, float std, long seed, long stream, long first);

    /**
     * Inverted-dropout mask: element i is {@code 1/(1 − p)} where {@code uniform(seed, stream, first + i) ≥ p}, else 0.
     *
     * @param mask filled
     * @param p drop probability in [0, 1)
     * @param seed Philox key
     * @param stream Philox stream
     * @param first index of element 0's draw
     */
    void dropoutMask(Tensor mask, float p, long seed, long stream, long first);
}
