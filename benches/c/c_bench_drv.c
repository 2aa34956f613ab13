/*
 * c_bench_drv: the hand-written C side of `cargo xtask bench`.
 *
 * It does exactly what the erldrv bench drivers (benches/drivers) do, written the way a
 * careful C programmer would write it against erl_driver.h and ei, so that the difference
 * in time is the cost of the framework:
 *
 *   port_control(Port, 0, Data)  -> Data, as a list; as a binary after command 1
 *   port_control(Port, 1, _)     -> switches control replies to binaries (2: back to lists)
 *   port_call(Port, 0, Term)     -> Term (the encoded argument is copied back unchanged)
 *   port_call(Port, 1, {add, Int, Binary})
 *                                -> {ok, Int + byte_size(Binary)}; {error, badarg} for any
 *                                   other argument
 *   port_command(Port, Data)     -> the owner receives {Port, {data, Data}}: outputv hands
 *                                   the VM's own I/O vector back to driver_outputv, so the
 *                                   binaries are passed on, not copied
 *
 * xtask compiles it with `cc -O2 -fPIC -shared` against the installed erl_driver.h and the
 * static libei of the same installation.
 */

#include <limits.h>
#include <string.h>

#include <ei.h>
#include <erl_driver.h>

enum { CONTROL_ECHO = 0, CONTROL_BINARY = 1, CONTROL_LIST = 2 };
enum { CALL_ECHO = 0, CALL_ADD = 1 };

/*
 * Room for any reply of CALL_ADD: the version byte, a 2-tuple header, `ok` or `error` as an
 * atom, then a long (at most a small bignum of 8 bytes) or the atom `badarg`; about 20 bytes
 * in the worst case.
 */
#define ADD_REPLY_MAX 64

typedef struct {
    ErlDrvPort port;
    int binary_replies;
} bench_port;

static int bench_init(void)
{
    /* ei wants to be initialised once before use. */
    return ei_init() == 0 ? 0 : -1;
}

static ErlDrvData bench_start(ErlDrvPort port, char *command)
{
    bench_port *state;

    (void)command;
    state = driver_alloc(sizeof *state);
    if (state == NULL)
        return ERL_DRV_ERROR_GENERAL;
    state->port = port;
    state->binary_replies = 0;
    return (ErlDrvData)state;
}

static void bench_stop(ErlDrvData data)
{
    driver_free(data);
}

static void bench_outputv(ErlDrvData data, ErlIOVec *ev)
{
    bench_port *state = (bench_port *)data;

    driver_outputv(state->port, NULL, 0, ev, 0);
}

/*
 * Replies with a copy of `len` bytes: in the VM's own buffer when they fit, otherwise in
 * memory of the kind the VM takes over (a driver binary for binary-mode control replies,
 * plain driver memory for list-mode control and for call). -1 when out of memory.
 */
static ErlDrvSSizeT reply_copy(const char *bytes, ErlDrvSizeT len, char **rbuf,
                               ErlDrvSizeT rlen, int as_binary)
{
    char *dst;

    if (len <= rlen) {
        dst = *rbuf;
    } else if (as_binary) {
        ErlDrvBinary *bin = driver_alloc_binary(len);
        if (bin == NULL)
            return -1;
        *rbuf = (char *)bin;
        dst = bin->orig_bytes;
    } else {
        dst = driver_alloc(len);
        if (dst == NULL)
            return -1;
        *rbuf = dst;
    }
    if (len > 0)
        memcpy(dst, bytes, len);
    return (ErlDrvSSizeT)len;
}

static ErlDrvSSizeT bench_control(ErlDrvData data, unsigned int command, char *buf,
                                  ErlDrvSizeT len, char **rbuf, ErlDrvSizeT rlen)
{
    bench_port *state = (bench_port *)data;

    switch (command) {
    case CONTROL_ECHO:
        return reply_copy(buf, len, rbuf, rlen, state->binary_replies);
    case CONTROL_BINARY:
        set_port_control_flags(state->port, PORT_CONTROL_FLAG_BINARY);
        state->binary_replies = 1;
        return 0;
    case CONTROL_LIST:
        set_port_control_flags(state->port, 0);
        state->binary_replies = 0;
        return 0;
    default:
        return -1;
    }
}

/*
 * Reads {add, Int, Binary} from the whole of `buf` and computes Int + byte_size(Binary).
 * 0 on success, -1 for anything else (including a sum that does not fit in a long).
 */
static int decode_add(const char *buf, ErlDrvSizeT len, long *sum)
{
    int index = 0;
    int version, arity, type, size;
    char op[MAXATOMLEN];
    long n;

    if (len > INT_MAX)
        return -1;
    if (ei_decode_version(buf, &index, &version) < 0)
        return -1;
    if (ei_decode_tuple_header(buf, &index, &arity) < 0 || arity != 3)
        return -1;
    if (ei_decode_atom(buf, &index, op) < 0 || strcmp(op, "add") != 0)
        return -1;
    if (ei_decode_long(buf, &index, &n) < 0)
        return -1;
    if (ei_get_type(buf, &index, &type, &size) < 0 || type != ERL_BINARY_EXT)
        return -1;
    /* Step over the binary without copying it: tag, 4-byte length, then the bytes. */
    if (size > (int)len - index - 5)
        return -1;
    index += 5 + size;
    if (index != (int)len)
        return -1;
    if (n > LONG_MAX - size)
        return -1;
    *sum = n + size;
    return 0;
}

static ErlDrvSSizeT reply_add(const char *buf, ErlDrvSizeT len, char **rbuf, ErlDrvSizeT rlen)
{
    char *out = *rbuf;
    int index = 0;
    long sum;

    if (rlen < ADD_REPLY_MAX) {
        out = driver_alloc(ADD_REPLY_MAX);
        if (out == NULL)
            return -1;
        *rbuf = out;
    }
    ei_encode_version(out, &index);
    ei_encode_tuple_header(out, &index, 2);
    if (decode_add(buf, len, &sum) == 0) {
        ei_encode_atom(out, &index, "ok");
        ei_encode_long(out, &index, sum);
    } else {
        ei_encode_atom(out, &index, "error");
        ei_encode_atom(out, &index, "badarg");
    }
    return index;
}

static ErlDrvSSizeT bench_call(ErlDrvData data, unsigned int command, char *buf,
                               ErlDrvSizeT len, char **rbuf, ErlDrvSizeT rlen,
                               unsigned int *flags)
{
    (void)data;
    (void)flags;
    switch (command) {
    case CALL_ECHO:
        return reply_copy(buf, len, rbuf, rlen, 0);
    case CALL_ADD:
        return reply_add(buf, len, rbuf, rlen);
    default:
        return -1;
    }
}

/* Not const: the VM writes into the entry when it loads the driver. */
static ErlDrvEntry bench_entry = {
    .init = bench_init,
    .start = bench_start,
    .stop = bench_stop,
    .driver_name = "c_bench_drv",
    .outputv = bench_outputv,
    .control = bench_control,
    .call = bench_call,
    .extended_marker = ERL_DRV_EXTENDED_MARKER,
    .major_version = ERL_DRV_EXTENDED_MAJOR_VERSION,
    .minor_version = ERL_DRV_EXTENDED_MINOR_VERSION,
};

DRIVER_INIT(c_bench_drv)
{
    return &bench_entry;
}
