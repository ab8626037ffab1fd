/* libpq, PostgreSQL's client library: the pgvector engine reads its indexes from a running server. */
#include <libpq-fe.h>
