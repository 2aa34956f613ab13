/*
 * packet_echo: a context row of `cargo xtask bench`, an external port program.
 *
 * Reads {packet, 4} frames from standard input (a 4-byte big-endian length, then that many
 * bytes) and writes each one back unchanged, header included, with one write per frame.
 * Stops at the end of its input, which the VM closes when the port closes or the VM stops.
 * Opened by the bench with open_port({spawn_executable, Path}, [{packet, 4}, binary]).
 *
 * xtask compiles it with `cc -O2`.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER 4

/*
 * Reads exactly `len` bytes. 1 when they are all there (always for 0 bytes); 0 at the end
 * of the input before the first byte (a clean stop between frames); -1 on an error or a
 * frame cut short.
 */
static int read_exactly(int fd, unsigned char *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n == 0) {
            return done == 0 ? 0 : -1;
        } else if (errno != EINTR) {
            return -1;
        }
    }
    return 1;
}

/* Writes all of `len` bytes: 0, or -1 on an error. */
static int write_all(int fd, const unsigned char *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n >= 0)
            done += (size_t)n;
        else if (errno != EINTR)
            return -1;
    }
    return 0;
}

int main(void)
{
    /* One frame, header and payload together, so that each reply is one write. */
    unsigned char *frame = NULL;
    size_t capacity = 0;
    int status = 0;

    for (;;) {
        unsigned char header[HEADER];
        uint32_t len;
        int got = read_exactly(STDIN_FILENO, header, HEADER);

        if (got <= 0) {
            status = got == 0 ? 0 : 1;
            break;
        }
        len = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 |
              (uint32_t)header[2] << 8 | (uint32_t)header[3];
        if ((size_t)len + HEADER > capacity) {
            unsigned char *bigger = realloc(frame, (size_t)len + HEADER);
            if (bigger == NULL) {
                status = 1;
                break;
            }
            frame = bigger;
            capacity = (size_t)len + HEADER;
        }
        memcpy(frame, header, HEADER);
        if (read_exactly(STDIN_FILENO, frame + HEADER, len) != 1) {
            status = 1;
            break;
        }
        if (write_all(STDOUT_FILENO, frame, (size_t)len + HEADER) != 0) {
            status = 1;
            break;
        }
    }
    free(frame);
    return status;
}
