/* xfrm-shim.c: an LD_PRELOAD shim for ci/interop-libreswan.
 *
 * The CI kernel has XFRM but no ESP/AH, so when Libreswan's pluto installs
 * an IPsec SA at the end of Quick Mode the kernel answers XFRM_MSG_NEWSA or
 * XFRM_MSG_UPDSA with an NLMSG_ERROR (-ESOCKTNOSUPPORT, -ENOSYS, ...) and
 * pluto tears the SA down. pluto has no kernel-less mode, so this shim
 * rewrites exactly those error replies into success (error 0, i.e. an ACK):
 * Quick Mode then completes on the wire. No ESP flows afterwards.
 *
 * Only sockets of family AF_NETLINK, protocol NETLINK_XFRM are touched, and
 * only errors whose embedded request is NEWSA or UPDSA; everything else
 * (policies, SPI allocation, other sockets) passes through unchanged.
 *
 * Build: cc -shared -fPIC -o xfrm-shim.so xfrm-shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

static int is_xfrm_socket(int fd)
{
	int v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) != 0 || v != AF_NETLINK)
		return 0;
	len = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 && v == NETLINK_XFRM;
}

/* Walks the netlink messages in buf[0..n) and turns a failed NEWSA/UPDSA
 * into an ACK. */
static void fix_reply(void *buf, ssize_t n)
{
	struct nlmsghdr *h;
	int len = (int)n;

	for (h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		struct nlmsgerr *e = NLMSG_DATA(h);

		if (h->nlmsg_type != NLMSG_ERROR ||
		    h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) || e->error == 0)
			continue;
		if (e->msg.nlmsg_type == XFRM_MSG_NEWSA || e->msg.nlmsg_type == XFRM_MSG_UPDSA)
			e->error = 0;
	}
}

ssize_t recvfrom(int fd, void *buf, size_t size, int flags, struct sockaddr *from,
		 socklen_t *fromlen)
{
	static ssize_t (*real)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t n;

	if (!real)
		real = dlsym(RTLD_NEXT, "recvfrom");
	n = real(fd, buf, size, flags, from, fromlen);
	if (n > 0 && is_xfrm_socket(fd))
		fix_reply(buf, n);
	return n;
}

ssize_t recv(int fd, void *buf, size_t size, int flags)
{
	return recvfrom(fd, buf, size, flags, NULL, NULL);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real)(int, struct msghdr *, int);
	ssize_t n;

	if (!real)
		real = dlsym(RTLD_NEXT, "recvmsg");
	n = real(fd, msg, flags);
	/* Netlink replies land in the first buffer (pluto uses one). */
	if (n > 0 && msg->msg_iovlen > 0 && is_xfrm_socket(fd))
		fix_reply(msg->msg_iov[0].iov_base,
			  (size_t)n < msg->msg_iov[0].iov_len ? n : (ssize_t)msg->msg_iov[0].iov_len);
	return n;
}
