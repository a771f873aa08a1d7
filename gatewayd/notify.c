/*
 * systemd's readiness notification without libsystemd: one datagram on
 * $NOTIFY_SOCKET (Type=notify), sent once every worker is ready.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "gatewayd.h"
#include "log.h"
#include "util.h"

void
sd_notify_ready(const char *path)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path[0] != '/' && path[0] != '@')
		return;
	if (gw_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		return;
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sun, len) == -1)
		log_warn("sd_notify");
	close(fd);
}

