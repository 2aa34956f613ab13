#include <string.h>
#include <erl_driver.h>

typedef struct {
    ErlDrvPort port;
    char *data;
    ErlDrvSizeT len;
} keeper;

static ErlDrvData keeper_start(ErlDrvPort port, char *command) {
    keeper *k;
    if (strcmp(command, "keeper_drv") != 0)
        return ERL_DRV_ERROR_BADARG;
    k = driver_alloc(sizeof(keeper));
    if (k == NULL)
        return ERL_DRV_ERROR_GENERAL;
    k->port = port;
    k->data = NULL;
    k->len = 0;
    return (ErlDrvData)k;
}

static void keeper_stop(ErlDrvData d) {
    keeper *k = (keeper *)d;
    if (k->data != NULL)
        driver_free(k->data);
    driver_free(k);
}

/* port_command(Port, Data): keeps a copy of Data, and tells the owner its size. */
static void keeper_output(ErlDrvData d, char *buf, ErlDrvSizeT len) {
    keeper *k = (keeper *)d;
    char *copy = driver_alloc(len + 1);
    ErlDrvTermData reply[] = {
        ERL_DRV_PORT, driver_mk_port(k->port),
        ERL_DRV_ATOM, driver_mk_atom("kept"),
        ERL_DRV_UINT, (ErlDrvUInt)len,
        ERL_DRV_TUPLE, 3,
    };
    if (copy == NULL) {
        driver_failure_atom(k->port, "enomem");
        return;
    }
    memcpy(copy, buf, len);
    if (k->data != NULL)
        driver_free(k->data);
    k->data = copy;
    k->len = len;
    erl_drv_output_term(driver_mk_port(k->port), reply, sizeof(reply) / sizeof(reply[0]));
}

/* port_control(Port, 1, []) returns the kept data; any other command raises badarg. */
static ErlDrvSSizeT keeper_control(ErlDrvData d, unsigned int cmd, char *buf,
                                   ErlDrvSizeT len, char **rbuf, ErlDrvSizeT rlen) {
    keeper *k = (keeper *)d;
    if (cmd != 1)
        return -1;
    if (k->len > rlen) {
        *rbuf = driver_alloc(k->len);
        if (*rbuf == NULL)
            return -1;
    }
    if (k->len > 0)
        memcpy(*rbuf, k->data, k->len);
    return (ErlDrvSSizeT)k->len;
}

static ErlDrvEntry keeper_entry = {
    .driver_name = "keeper_drv",
    .start = keeper_start,
    .stop = keeper_stop,
    .output = keeper_output,
    .control = keeper_control,
    .extended_marker = ERL_DRV_EXTENDED_MARKER,
    .major_version = ERL_DRV_EXTENDED_MAJOR_VERSION,
    .minor_version = ERL_DRV_EXTENDED_MINOR_VERSION,
};

DRIVER_INIT(keeper_drv) { return &keeper_entry; }
