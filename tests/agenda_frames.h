/*
 * agenda_frames.h - frames a test member sends agendad, written once for
 * the agenda tests and the agendad stress (tests/agenda_engine_test.c,
 * tests/agenda_hostile_test.c, tests/stress/agendad_stress.c). Header only.
 */
#ifndef AGENDA_FRAMES_H
#define AGENDA_FRAMES_H

#include "agenda_int.h"

/**
 * agenda_hello - append to @b the HELLO of @user (token @tok, the hex
 * string agendad adduser printed) for agenda "team", from replica
 * @replica (0: a random one).
 * Return: 0, or -1 when it cannot be encoded.
 */
static inline int agenda_hello(struct ag_buf *b, const char *user, const char *tok,
                               uint64_t replica)
{
	struct ag_msg m = {.type = AG_MSG_HELLO};
	m.u.hello.version = AG_PROTO_VERSION;
	m.u.hello.user = (char *)user;
	m.u.hello.agenda = "team";
	m.u.hello.replica = replica ? replica : ag_random_id();
	m.u.hello.token_len = (size_t)ag_hex_decode(tok, m.u.hello.token, AG_MAX_TOKEN);
	return ag_msg_encode(b, &m);
}

#endif
