/* openapi.c - serves the API description (docs/openapi.yaml, embedded as JSON at build time). */
#include "app.h"

extern const char openapi_json[];
extern const size_t openapi_json_len;

void openapi_http_get(struct req *r);

void openapi_http_get(struct req *r)
{
	resp_text(r, 200, "application/json; charset=utf-8", openapi_json, openapi_json_len);
}
