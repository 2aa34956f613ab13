/*
 * c_pool_drv: a context side of the throughput test of `cargo xtask bench`, the best a
 * hand-written C driver does without driver_async: its own pool of threads (one per
 * scheduler, started by the driver's init with erl_drv_thread_create), a queue under a
 * mutex and a condition variable, and the reply sent by the worker itself with
 * erl_drv_send_term to the process that asked, with no hop through a scheduler.
 *
 *   port_control(Port, 2, <<Iterations:32>>)
 *                                -> [] at once; a worker runs the CPU job of bench_job.h;
 *                                   then the caller receives {Port, <<Result:64>>}
 *
 * Anything else makes port_control fail with badarg. A job keeps only the port's and the
 * caller's term ids, never the port's state, so a port closed meanwhile is no harm (the
 * reply is then not delivered). The workers are joined in finish; the bench closes its
 * ports only once their jobs have answered.
 *
 * xtask compiles it with `cc -O2 -fPIC -shared` against the installed erl_driver.h.
 */

#include <stdint.h>
#include <string.h>

#include <erl_driver.h>

#include "bench_job.h"

enum { POOL_JOB = 2, MAX_WORKERS = 64 };

typedef struct pool_job {
    struct pool_job *next;
    ErlDrvTermData port_term;
    ErlDrvTermData caller;
    uint32_t iterations;
} pool_job;

static ErlDrvMutex *queue_lock;
static ErlDrvCond *queue_ready;
static pool_job *queue_head, *queue_tail;
static int stopping;
static int workers;
static ErlDrvTid worker_ids[MAX_WORKERS];

static void *pool_worker(void *arg)
{
    (void)arg;
    for (;;) {
        pool_job *job;
        uint64_t result;
        char bytes[8];
        int i;

        erl_drv_mutex_lock(queue_lock);
        while (queue_head == NULL && !stopping)
            erl_drv_cond_wait(queue_ready, queue_lock);
        job = queue_head;
        if (job == NULL) {
            erl_drv_mutex_unlock(queue_lock);
            return NULL;
        }
        queue_head = job->next;
        if (queue_head == NULL)
            queue_tail = NULL;
        erl_drv_mutex_unlock(queue_lock);

        result = bench_job(job->iterations);
        for (i = 0; i < 8; i++)
            bytes[i] = (char)(result >> (56 - 8 * i));
        {
            ErlDrvTermData reply[] = {
                ERL_DRV_PORT, job->port_term,
                ERL_DRV_BUF2BINARY, (ErlDrvTermData)bytes, 8,
                ERL_DRV_TUPLE, 2,
            };
            /* A caller (or port) that has gone away is no error. */
            (void)erl_drv_send_term(job->port_term, job->caller, reply,
                                    (int)(sizeof reply / sizeof reply[0]));
        }
        driver_free(job);
    }
}

static void pool_finish(void);

static int pool_init(void)
{
    ErlDrvSysInfo info;

    memset(&info, 0, sizeof info);
    driver_system_info(&info, sizeof info);
    workers = info.scheduler_threads;
    if (workers < 1)
        workers = 1;
    if (workers > MAX_WORKERS)
        workers = MAX_WORKERS;
    queue_lock = erl_drv_mutex_create("c_pool_drv.queue");
    queue_ready = erl_drv_cond_create("c_pool_drv.ready");
    if (queue_lock == NULL || queue_ready == NULL)
        return -1;
    stopping = 0;
    for (int i = 0; i < workers; i++) {
        if (erl_drv_thread_create("c_pool_drv.worker", &worker_ids[i], pool_worker, NULL,
                                  NULL) != 0) {
            workers = i;
            pool_finish();
            return -1;
        }
    }
    return 0;
}

/* Stops the workers (each finishes the queue first) and joins them. */
static void pool_finish(void)
{
    erl_drv_mutex_lock(queue_lock);
    stopping = 1;
    erl_drv_cond_broadcast(queue_ready);
    erl_drv_mutex_unlock(queue_lock);
    for (int i = 0; i < workers; i++)
        erl_drv_thread_join(worker_ids[i], NULL);
    erl_drv_cond_destroy(queue_ready);
    erl_drv_mutex_destroy(queue_lock);
}

static ErlDrvData pool_start(ErlDrvPort port, char *command)
{
    (void)command;
    return (ErlDrvData)port;
}

static void pool_stop(ErlDrvData data)
{
    (void)data;
}

static ErlDrvSSizeT pool_control(ErlDrvData data, unsigned int command, char *buf,
                                 ErlDrvSizeT len, char **rbuf, ErlDrvSizeT rlen)
{
    ErlDrvPort port = (ErlDrvPort)data;
    const unsigned char *b = (const unsigned char *)buf;
    pool_job *job;

    (void)rbuf;
    (void)rlen;
    if (command != POOL_JOB || len != 4)
        return -1;
    job = driver_alloc(sizeof *job);
    if (job == NULL)
        return -1;
    job->next = NULL;
    job->port_term = driver_mk_port(port);
    job->caller = driver_caller(port);
    job->iterations = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    erl_drv_mutex_lock(queue_lock);
    if (queue_tail != NULL)
        queue_tail->next = job;
    else
        queue_head = job;
    queue_tail = job;
    erl_drv_cond_signal(queue_ready);
    erl_drv_mutex_unlock(queue_lock);
    return 0;
}

static ErlDrvEntry pool_entry = {
    .init = pool_init,
    .start = pool_start,
    .stop = pool_stop,
    .driver_name = "c_pool_drv",
    .finish = pool_finish,
    .control = pool_control,
    .extended_marker = ERL_DRV_EXTENDED_MARKER,
    .major_version = ERL_DRV_EXTENDED_MAJOR_VERSION,
    .minor_version = ERL_DRV_EXTENDED_MINOR_VERSION,
    .driver_flags = ERL_DRV_FLAG_USE_PORT_LOCKING,
};

DRIVER_INIT(c_pool_drv)
{
    return &pool_entry;
}
