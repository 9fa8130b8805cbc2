package org.deeprelax.dist.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.deeprelax.core.natives.NativeCalls.call;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeprelax.core.natives.SearchPath;

/**
 * Open MPI ({@code libmpi.so.40}), the calls a job of replicas needs, bound by hand with FFM.
 *
 * <p>Types as in Open MPI 4.1's {@code mpi.h}: return codes and counts are C {@code int}; every handle
 * ({@code MPI_Comm}, {@code MPI_Datatype}, {@code MPI_Op}, {@code MPI_Errhandler}, {@code MPI_Request}) is a
 * pointer. The predefined handles are the addresses of exported global structs: {@code MPI_COMM_WORLD} is
 * {@code &ompi_mpi_comm_world}, {@code MPI_FLOAT} is {@code &ompi_mpi_float}, {@code MPI_SUM} is
 * {@code &ompi_mpi_op_sum}, {@code MPI_ERRORS_RETURN} is {@code &ompi_mpi_errors_return}; this class looks
 * them up once. MPICH and its derivatives define handles as integers instead and are not supported: their
 * library lacks these symbols, which is reported when it is opened.
 *
 * <p>Every method checks the return code and throws {@link MpiException} with {@code MPI_Error_string}'s
 * text; for that to happen rather than MPI aborting the job itself, the runtime installs
 * {@code MPI_ERRORS_RETURN} on {@code MPI_COMM_WORLD} right after initialisation. Out-parameters of the
 * calls made once use a confined arena per call; the collectives take the caller's segments.
 */
public final class Mpi {

    /** {@code MPI_THREAD_FUNNELED}: only the thread that initialised MPI calls it. */
    public static final int THREAD_FUNNELED = 1;
    /** {@code MPI_MAX_ERROR_STRING}, also the size of the processor-name and library-version buffers here. */
    private static final int MAX_STRING = 256;

    private static final Linker LINKER = Linker.nativeLinker();

    private static volatile Mpi instance;

    private final String location;
    private final SymbolLookup lib;
    private final MemorySegment commWorld, floatType, doubleType, int64Type, byteType, opSum, errorsReturn;
    private final MethodHandle initThread, initialized, finalized, finalizeMpi, abort, commRank, commSize,
            commSetErrhandler, errorString, libraryVersion, processorName, allgather, iallgather, allreduce,
            iallreduce, ialltoall, bcast, ibcast, barrier, ibarrier, test;

    private Mpi(String location, SymbolLookup lib) {
        this.location = location;
        this.lib = lib;
        if (lib.find("ompi_mpi_comm_world").isEmpty()) {
            throw new MpiLibraryException(location + " is not Open MPI (it does not export ompi_mpi_comm_world);"
                    + " DeepRelax binds Open MPI's " + MpiLibraries.LIBRARY + " only. Install Open MPI, or point "
                    + MpiLibraries.ENV + " at its lib directory.");
        }
        commWorld = address("ompi_mpi_comm_world");
        floatType = address("ompi_mpi_float");
        doubleType = address("ompi_mpi_double");
        int64Type = address("ompi_mpi_int64_t");
        byteType = address("ompi_mpi_byte");
        opSum = address("ompi_mpi_op_sum");
        errorsReturn = address("ompi_mpi_errors_return");
        FunctionDescriptor i_p = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        FunctionDescriptor i_pp = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        // int MPI_Init_thread(int *argc, char ***argv, int required, int *provided)
        initThread = function("MPI_Init_thread", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        initialized = function("MPI_Initialized", i_p);
        finalized = function("MPI_Finalized", i_p);
        finalizeMpi = function("MPI_Finalize", FunctionDescriptor.of(JAVA_INT));
        abort = function("MPI_Abort", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        commRank = function("MPI_Comm_rank", i_pp);
        commSize = function("MPI_Comm_size", i_pp);
        commSetErrhandler = function("MPI_Comm_set_errhandler", i_pp);
        errorString = function("MPI_Error_string", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        libraryVersion = function("MPI_Get_library_version", i_pp);
        processorName = function("MPI_Get_processor_name", i_pp);
        // int MPI_Allgather(const void *sendbuf, int sendcount, MPI_Datatype sendtype, void *recvbuf,
        //     int recvcount, MPI_Datatype recvtype, MPI_Comm comm[, MPI_Request *request])
        FunctionDescriptor gather = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT,
                ADDRESS, ADDRESS);
        allgather = function("MPI_Allgather", gather);
        iallgather = function("MPI_Iallgather", gather.appendArgumentLayouts(ADDRESS));
        ialltoall = function("MPI_Ialltoall", gather.appendArgumentLayouts(ADDRESS));
        // int MPI_Allreduce(const void *sendbuf, void *recvbuf, int count, MPI_Datatype datatype, MPI_Op op,
        //     MPI_Comm comm[, MPI_Request *request])
        FunctionDescriptor reduce = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        allreduce = function("MPI_Allreduce", reduce);
        iallreduce = function("MPI_Iallreduce", reduce.appendArgumentLayouts(ADDRESS));
        // int MPI_Bcast(void *buffer, int count, MPI_Datatype datatype, int root, MPI_Comm comm[, MPI_Request *])
        FunctionDescriptor cast = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        bcast = function("MPI_Bcast", cast);
        ibcast = function("MPI_Ibcast", cast.appendArgumentLayouts(ADDRESS));
        barrier = function("MPI_Barrier", i_p);
        ibarrier = function("MPI_Ibarrier", i_pp);
        // int MPI_Test(MPI_Request *request, int *flag, MPI_Status *status)
        test = function("MPI_Test", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    }

    /**
     * Opens {@code libmpi.so.40} and binds its calls, once per JVM; does not initialise MPI.
     *
     * @return the binding
     * @throws MpiLibraryException if the library is not installed (naming every directory searched), does not
     *         load, or is not Open MPI
     */
    public static Mpi get() {
        Mpi m = instance;
        if (m == null) {
            synchronized (Mpi.class) {
                m = instance;
                if (m == null) {
                    m = open(System.getenv());
                    instance = m;
                }
            }
        }
        return m;
    }

    private static Mpi open(Map<String, String> env) {
        Path found = SearchPath.find(MpiLibraries.directories(env), List.of(MpiLibraries.LIBRARY)).orElse(null);
        if (found != null) {
            try {
                return new Mpi(found.toString(), SymbolLookup.libraryLookup(found, Arena.global()));
            } catch (IllegalArgumentException e) {
                throw new MpiLibraryException("found " + found + " but could not load it: "
                        + SearchPath.loaderError(found.toString()) + " (a library it depends on may be missing from the"
                        + " loader's path; put its directory on LD_LIBRARY_PATH)", e);
            }
        }
        try {
            return new Mpi(MpiLibraries.LIBRARY + " (found by the dynamic loader)",
                    SymbolLookup.libraryLookup(MpiLibraries.LIBRARY, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new MpiLibraryException(MpiLibraries.notFound(env, SearchPath.loaderError(MpiLibraries.LIBRARY)), e);
        }
    }

    /**
     * Returns where the library was loaded from.
     *
     * @return its path, or that the dynamic loader found it by name
     */
    public String libraryPath() {
        return location;
    }

    // ---- predefined handles -------------------------------------------------------------------

    /**
     * Returns {@code MPI_COMM_WORLD}.
     *
     * @return the handle
     */
    public MemorySegment commWorld() {
        return commWorld;
    }

    /**
     * Returns {@code MPI_FLOAT}.
     *
     * @return the handle
     */
    public MemorySegment floatType() {
        return floatType;
    }

    /**
     * Returns {@code MPI_DOUBLE}.
     *
     * @return the handle
     */
    public MemorySegment doubleType() {
        return doubleType;
    }

    /**
     * Returns {@code MPI_INT64_T}.
     *
     * @return the handle
     */
    public MemorySegment int64Type() {
        return int64Type;
    }

    /**
     * Returns {@code MPI_BYTE}.
     *
     * @return the handle
     */
    public MemorySegment byteType() {
        return byteType;
    }

    /**
     * Returns {@code MPI_SUM}.
     *
     * @return the handle
     */
    public MemorySegment opSum() {
        return opSum;
    }

    // ---- environment --------------------------------------------------------------------------

    /**
     * Initialises MPI ({@code MPI_Init_thread} without arguments).
     *
     * @param required the thread level asked for, such as {@link #THREAD_FUNNELED}
     * @return the level provided
     */
    public int initThread(int required) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment provided = a.allocate(JAVA_INT);
            check("MPI_Init_thread", call(() -> (int) initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL,
                    required, provided)));
            return provided.get(JAVA_INT, 0);
        }
    }

    /**
     * Tells whether {@code MPI_Init} has been called in this process.
     *
     * @return {@code MPI_Initialized}'s flag
     */
    public boolean initialized() {
        return flag("MPI_Initialized", initialized);
    }

    /**
     * Tells whether {@code MPI_Finalize} has been called in this process.
     *
     * @return {@code MPI_Finalized}'s flag
     */
    public boolean finalized() {
        return flag("MPI_Finalized", finalized);
    }

    /** Calls {@code MPI_Finalize}. */
    public void finalizeMpi() {
        check("MPI_Finalize", call(() -> (int) finalizeMpi.invokeExact()));
    }

    /**
     * Calls {@code MPI_Abort}, which ends every process of the communicator's job.
     *
     * @param comm the communicator
     * @param code the exit status
     */
    public void abort(MemorySegment comm, int code) {
        check("MPI_Abort", call(() -> (int) abort.invokeExact(comm, code)));
    }

    /**
     * Returns this process's rank ({@code MPI_Comm_rank}).
     *
     * @param comm the communicator
     * @return the rank
     */
    public int commRank(MemorySegment comm) {
        return outInt("MPI_Comm_rank", commRank, comm);
    }

    /**
     * Returns the number of processes ({@code MPI_Comm_size}).
     *
     * @param comm the communicator
     * @return the size
     */
    public int commSize(MemorySegment comm) {
        return outInt("MPI_Comm_size", commSize, comm);
    }

    /**
     * Makes failing calls on {@code comm} return their error code instead of aborting the job
     * ({@code MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN)}).
     *
     * @param comm the communicator
     */
    public void setErrorsReturn(MemorySegment comm) {
        check("MPI_Comm_set_errhandler", call(() -> (int) commSetErrhandler.invokeExact(comm, errorsReturn)));
    }

    /**
     * Returns MPI's text for an error code.
     *
     * @param code an MPI error code
     * @return {@code MPI_Error_string}'s text, or a note that it has none
     */
    public String errorString(int code) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment text = a.allocate(MAX_STRING);
            MemorySegment length = a.allocate(JAVA_INT);
            int r = call(() -> (int) errorString.invokeExact(code, text, length));
            return r != 0 ? "MPI_Error_string has no text for it" : text.getString(0);
        }
    }

    /**
     * Returns the library's version text ({@code MPI_Get_library_version}), such as
     * {@code Open MPI v4.1.4, package: Debian OpenMPI, ...}.
     *
     * @return the text
     */
    public String libraryVersion() {
        return outString("MPI_Get_library_version", libraryVersion);
    }

    /**
     * Returns the name of the host this process runs on ({@code MPI_Get_processor_name}).
     *
     * @return the name
     */
    public String processorName() {
        return outString("MPI_Get_processor_name", processorName);
    }

    // ---- collectives --------------------------------------------------------------------------

    /**
     * {@code MPI_Allgather}: blocks until every process's {@code count} values are in every {@code receive}.
     *
     * @param send this process's values
     * @param count values each process sends
     * @param type their datatype
     * @param receive size × count values, filled in rank order
     * @param comm the communicator
     */
    public void allgather(MemorySegment send, int count, MemorySegment type, MemorySegment receive, MemorySegment comm) {
        check("MPI_Allgather", call(() -> (int) allgather.invokeExact(send, count, type, receive, count, type, comm)));
    }

    /**
     * {@code MPI_Iallgather}: starts an allgather; {@link #test} tells when it is done.
     *
     * @param send this process's values
     * @param count values each process sends
     * @param type their datatype
     * @param receive size × count values, filled in rank order
     * @param comm the communicator
     * @param request receives the request handle (one pointer)
     */
    public void iallgather(MemorySegment send, int count, MemorySegment type, MemorySegment receive, MemorySegment comm,
                           MemorySegment request) {
        check("MPI_Iallgather", call(() -> (int) iallgather.invokeExact(send, count, type, receive, count, type, comm,
                request)));
    }

    /**
     * {@code MPI_Ialltoall}: starts an all-to-all, block r of {@code send} going to rank r and rank r's block for
     * this process landing at block r of {@code receive}; {@link #test} tells when it is done.
     *
     * @param send size × count values
     * @param count values per block
     * @param type their datatype
     * @param receive size × count values
     * @param comm the communicator
     * @param request receives the request handle (one pointer)
     */
    public void ialltoall(MemorySegment send, int count, MemorySegment type, MemorySegment receive, MemorySegment comm,
                          MemorySegment request) {
        check("MPI_Ialltoall", call(() -> (int) ialltoall.invokeExact(send, count, type, receive, count, type, comm,
                request)));
    }

    /**
     * {@code MPI_Allreduce}: blocks until every {@code receive} holds the elementwise reduction of all processes'
     * {@code send}, in an order MPI chooses.
     *
     * @param send this process's values
     * @param receive the result
     * @param count values
     * @param type their datatype
     * @param op the reduction, such as {@link #opSum()}
     * @param comm the communicator
     */
    public void allreduce(MemorySegment send, MemorySegment receive, int count, MemorySegment type, MemorySegment op,
                          MemorySegment comm) {
        check("MPI_Allreduce", call(() -> (int) allreduce.invokeExact(send, receive, count, type, op, comm)));
    }

    /**
     * {@code MPI_Iallreduce}: starts an allreduce; {@link #test} tells when it is done.
     *
     * @param send this process's values
     * @param receive the result
     * @param count values
     * @param type their datatype
     * @param op the reduction
     * @param comm the communicator
     * @param request receives the request handle (one pointer)
     */
    public void iallreduce(MemorySegment send, MemorySegment receive, int count, MemorySegment type, MemorySegment op,
                           MemorySegment comm, MemorySegment request) {
        check("MPI_Iallreduce", call(() -> (int) iallreduce.invokeExact(send, receive, count, type, op, comm, request)));
    }

    /**
     * {@code MPI_Bcast}: blocks until {@code root}'s values are in every process's buffer.
     *
     * @param buffer sent from root, overwritten elsewhere
     * @param count values
     * @param type their datatype
     * @param root the sending rank
     * @param comm the communicator
     */
    public void bcast(MemorySegment buffer, int count, MemorySegment type, int root, MemorySegment comm) {
        check("MPI_Bcast", call(() -> (int) bcast.invokeExact(buffer, count, type, root, comm)));
    }

    /**
     * {@code MPI_Ibcast}: starts a broadcast; {@link #test} tells when it is done.
     *
     * @param buffer sent from root, overwritten elsewhere
     * @param count values
     * @param type their datatype
     * @param root the sending rank
     * @param comm the communicator
     * @param request receives the request handle (one pointer)
     */
    public void ibcast(MemorySegment buffer, int count, MemorySegment type, int root, MemorySegment comm,
                       MemorySegment request) {
        check("MPI_Ibcast", call(() -> (int) ibcast.invokeExact(buffer, count, type, root, comm, request)));
    }

    /**
     * {@code MPI_Barrier}: blocks until every process has called it.
     *
     * @param comm the communicator
     */
    public void barrier(MemorySegment comm) {
        check("MPI_Barrier", call(() -> (int) barrier.invokeExact(comm)));
    }

    /**
     * {@code MPI_Ibarrier}: starts a barrier; {@link #test} tells when it is done.
     *
     * @param comm the communicator
     * @param request receives the request handle (one pointer)
     */
    public void ibarrier(MemorySegment comm, MemorySegment request) {
        check("MPI_Ibarrier", call(() -> (int) ibarrier.invokeExact(comm, request)));
    }

    /**
     * {@code MPI_Test}: drives the request on and tells whether it is complete (the request is then freed and
     * set to {@code MPI_REQUEST_NULL}).
     *
     * @param request the request handle (one pointer)
     * @param flag scratch for the completion flag (one int)
     * @return whether it completed
     */
    public boolean test(MemorySegment request, MemorySegment flag) {
        check("MPI_Test", call(() -> (int) test.invokeExact(request, flag, MemorySegment.NULL)));
        return flag.get(JAVA_INT, 0) != 0;
    }

    // ---- binding and errors -------------------------------------------------------------------

    private MemorySegment address(String symbol) {
        return lib.find(symbol).orElseThrow(() -> new MpiLibraryException("symbol " + symbol + " not found in "
                + location + " (an older or newer Open MPI?)"));
    }

    private MethodHandle function(String symbol, FunctionDescriptor fd) {
        return LINKER.downcallHandle(address(symbol), fd);
    }

    private void check(String what, int code) {
        if (code != 0) {
            throw new MpiException(what, code, errorString(code));
        }
    }

    private boolean flag(String what, MethodHandle h) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment flag = a.allocate(JAVA_INT);
            check(what, call(() -> (int) h.invokeExact(flag)));
            return flag.get(JAVA_INT, 0) != 0;
        }
    }

    private int outInt(String what, MethodHandle h, MemorySegment comm) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check(what, call(() -> (int) h.invokeExact(comm, out)));
            return out.get(JAVA_INT, 0);
        }
    }

    private String outString(String what, MethodHandle h) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment text = a.allocate(MAX_STRING);
            MemorySegment length = a.allocate(JAVA_INT);
            check(what, call(() -> (int) h.invokeExact(text, length)));
            return text.getString(0);
        }
    }
}
