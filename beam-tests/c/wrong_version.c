/* A complete driver whose entry claims the next major driver API version: the VM accepts
 * only its own major version. */
#include <erl_driver.h>

static ErlDrvData start(ErlDrvPort port, char *command) {
    (void)command;
    return (ErlDrvData)port;
}

static ErlDrvEntry entry = {
    .driver_name = "wrong_version",
    .start = start,
    .extended_marker = ERL_DRV_EXTENDED_MARKER,
    .major_version = ERL_DRV_EXTENDED_MAJOR_VERSION + 1,
    .minor_version = 0,
};

DRIVER_INIT(wrong_version) { return &entry; }
