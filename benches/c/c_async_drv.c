/*
 * c_async_drv: the hand-written C side of the async cases of `cargo xtask bench`, written
 * the way C drivers hand work to a thread that is not a scheduler: driver_async, keyed by
 * the port so that every job of one port runs on the same async thread, in order, and the
 * reply sent from ready_async with erl_drv_send_term to the process that asked.
 *
 *   port_control(Port, 1, Data)  -> [] at once; then the caller receives {Port, Data}
 *                                   (the bytes are copied in control, sent as a binary)
 *   port_control(Port, 2, <<Iterations:32>>)
 *                                -> [] at once; the async thread runs the CPU job of
 *                                   bench_job.h; then the caller receives
 *                                   {Port, <<Result:64>>}
 *
 * Anything else makes port_control fail with badarg. A job whose port closes before
 * ready_async is freed by the VM through async_free.
 *
 * xtask compiles it with `cc -O2 -fPIC -shared` against the installed erl_driver.h.
 */

#include <stdint.h>
#include <string.h>

#include <erl_driver.h>

#include "bench_job.h"

enum { ASYNC_ECHO = 1, ASYNC_JOB = 2 };

typedef struct {
    ErlDrvPort port;
    ErlDrvTermData port_term;
    /* The same key for every job of the port: one async thread, in order. */
    unsigned int key;
} async_port;

typedef struct {
    ErlDrvTermData caller;
    unsigned int command;
    uint32_t iterations;
    /* The reply's bytes: the echoed data, or the job's result in 8 bytes, big-endian. */
    ErlDrvSizeT len;
    char bytes[];
} async_job;

static ErlDrvData async_start(ErlDrvPort port, char *command)
{
    async_port *state;

    (void)command;
    state = driver_alloc(sizeof *state);
    if (state == NULL)
        return ERL_DRV_ERROR_GENERAL;
    state->port = port;
    state->port_term = driver_mk_port(port);
    state->key = driver_async_port_key(port);
    return (ErlDrvData)state;
}

static void async_stop(ErlDrvData data)
{
    driver_free(data);
}

/* On the async thread. */
static void async_invoke(void *data)
{
    async_job *job = data;
    uint64_t result;
    int i;

    if (job->command != ASYNC_JOB)
        return;
    result = bench_job(job->iterations);
    for (i = 0; i < 8; i++)
        job->bytes[i] = (char)(result >> (56 - 8 * i));
    job->len = 8;
}

static void async_free(void *data)
{
    driver_free(data);
}

/* Back on a scheduler, in the port's context: the reply goes to the caller. */
static void async_ready(ErlDrvData data, ErlDrvThreadData thread_data)
{
    async_port *state = (async_port *)data;
    async_job *job = (async_job *)thread_data;
    ErlDrvTermData reply[] = {
        ERL_DRV_PORT, state->port_term,
        ERL_DRV_BUF2BINARY, (ErlDrvTermData)job->bytes, (ErlDrvTermData)job->len,
        ERL_DRV_TUPLE, 2,
    };

    /* A caller that has gone away is no error. */
    (void)erl_drv_send_term(state->port_term, job->caller, reply,
                            (int)(sizeof reply / sizeof reply[0]));
    driver_free(job);
}

static uint32_t read_u32_be(const char *buf)
{
    const unsigned char *b = (const unsigned char *)buf;

    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

static ErlDrvSSizeT async_control(ErlDrvData data, unsigned int command, char *buf,
                                  ErlDrvSizeT len, char **rbuf, ErlDrvSizeT rlen)
{
    async_port *state = (async_port *)data;
    async_job *job;
    ErlDrvSizeT room;

    (void)rbuf;
    (void)rlen;
    switch (command) {
    case ASYNC_ECHO:
        room = len;
        break;
    case ASYNC_JOB:
        if (len != 4)
            return -1;
        room = 8;
        break;
    default:
        return -1;
    }
    job = driver_alloc(sizeof *job + room);
    if (job == NULL)
        return -1;
    job->caller = driver_caller(state->port);
    job->command = command;
    if (command == ASYNC_ECHO) {
        job->iterations = 0;
        job->len = len;
        if (len > 0)
            memcpy(job->bytes, buf, len);
    } else {
        job->iterations = read_u32_be(buf);
        job->len = 0;
    }
    if (driver_async(state->port, &state->key, async_invoke, job, async_free) < 0) {
        /* Refused before the VM took the job: it is still ours. */
        driver_free(job);
        return -1;
    }
    return 0;
}

/* Not const: the VM writes into the entry when it loads the driver. */
static ErlDrvEntry async_entry = {
    .start = async_start,
    .stop = async_stop,
    .driver_name = "c_async_drv",
    .control = async_control,
    .ready_async = async_ready,
    .extended_marker = ERL_DRV_EXTENDED_MARKER,
    .major_version = ERL_DRV_EXTENDED_MAJOR_VERSION,
    .minor_version = ERL_DRV_EXTENDED_MINOR_VERSION,
};

DRIVER_INIT(c_async_drv)
{
    return &async_entry;
}
