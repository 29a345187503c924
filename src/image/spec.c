/* The image spec of the command line: builtin:NAME:N[:seed=S][:I,J].  Every
 * error quotes the token at fault, since the spec is typed by hand. */
#include "wasp/wasp_image.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 8

/* Decimal integer, the whole token, no blanks: "08" is 8, "8x" and " 8" are not. */
static bool parse_long(const char *tok, long *v)
{
  const char *d = (*tok == '-' || *tok == '+') ? tok + 1 : tok;
  if (*d < '0' || *d > '9') return false;
  char *end;
  errno = 0;
  *v = strtol(tok, &end, 10);
  return errno == 0 && *end == '\0';
}

static bool parse_seed(const char *tok, uint64_t *seed)
{
  if (*tok < '0' || *tok > '9') return false;  /* strtoull would accept "-1" */
  char *end;
  errno = 0;
  unsigned long long s = strtoull(tok, &end, 10);
  *seed = (uint64_t)s;
  return errno == 0 && *end == '\0';
}

static bool known_name(const char *name, char *known, size_t len)
{
  int count;
  const wasp_image_builtin_info *tab = wasp_image_list_builtin(&count);
  bool found = false;
  known[0] = '\0';
  for (int k = 0; k < count; k++) {
    if (strcmp(name, tab[k].name) == 0) found = true;
    if (k) strncat(known, ", ", len - strlen(known) - 1);
    strncat(known, tab[k].name, len - strlen(known) - 1);
  }
  return found;
}

/* Options after the size: seed=S for any image, I,J for dirac. */
static wasp_status parse_option(const char *spec, const char *tok, bool dirac, int n,
                                uint64_t *seed, bool *have_seed, int pos[2], bool *have_pos)
{
  if (strncmp(tok, "seed=", 5) == 0) {
    if (*have_seed)
      return wasp_fail(WASP_ERR_ARG, "image spec '%s': seed given twice ('%s')", spec, tok);
    if (!parse_seed(tok + 5, seed))
      return wasp_fail(WASP_ERR_ARG, "image spec '%s': seed in '%s' is not a nonnegative integer",
                       spec, tok);
    *have_seed = true;
    return WASP_OK;
  }
  const char *comma = strchr(tok, ',');
  if (!comma)
    return wasp_fail(WASP_ERR_ARG, "image spec '%s': unknown option '%s'; expected seed=S%s", spec,
                     tok, dirac ? " or a pixel I,J" : "");
  if (!dirac)
    return wasp_fail(WASP_ERR_ARG, "image spec '%s': pixel '%s' is only meaningful for dirac",
                     spec, tok);
  if (*have_pos)
    return wasp_fail(WASP_ERR_ARG, "image spec '%s': pixel given twice ('%s')", spec, tok);
  char first[32];
  size_t len = (size_t)(comma - tok);
  long i, j;
  if (len >= sizeof first) len = sizeof first - 1;
  memcpy(first, tok, len);
  first[len] = '\0';
  if (!parse_long(first, &i) || !parse_long(comma + 1, &j))
    return wasp_fail(WASP_ERR_ARG, "image spec '%s': pixel '%s' is not I,J with integers I, J",
                     spec, tok);
  if (i < 0 || i >= n || j < 0 || j >= n)
    return wasp_fail(WASP_ERR_ARG, "image spec '%s': pixel '%s' is outside the %d x %d image",
                     spec, tok, n, n);
  pos[0] = (int)i;
  pos[1] = (int)j;
  *have_pos = true;
  return WASP_OK;
}

wasp_status wasp_image_from_spec(const char *spec, wasp_measure *img)
{
  memset(img, 0, sizeof *img);
  if (!wasp_image_is_spec(spec))
    return wasp_fail(WASP_ERR_ARG, "image spec '%s' does not start with 'builtin:'; expected "
                     "builtin:NAME:N[:seed=S] or builtin:dirac:N:I,J", spec ? spec : "(null)");
  char buf[256], *tok[MAX_TOKENS];
  int ntok = 0;
  if (strlen(spec) >= sizeof buf)
    return wasp_fail(WASP_ERR_ARG, "image spec '%.40s...' is longer than %zu characters", spec,
                     sizeof buf - 1);
  strcpy(buf, spec);
  /* Split by hand: strtok would hide empty fields ("builtin::32"). */
  for (char *p = buf;; p++) {
    if (ntok == MAX_TOKENS)
      return wasp_fail(WASP_ERR_ARG, "image spec '%s' has more than %d fields", spec, MAX_TOKENS);
    tok[ntok++] = p;
    p = strchr(p, ':');
    if (!p) break;
    *p = '\0';
  }

  char known[128];
  if (ntok < 2 || !known_name(tok[1], known, sizeof known))
    return wasp_fail(WASP_ERR_ARG, "image spec '%s': unknown built-in image '%s'; known: %s",
                     spec, ntok < 2 ? "" : tok[1], known);
  if (ntok < 3 || tok[2][0] == '\0')
    return wasp_fail(WASP_ERR_ARG, "image spec '%s' has no size; expected builtin:%s:N", spec,
                     tok[1]);
  long n;
  if (!parse_long(tok[2], &n))
    return wasp_fail(WASP_ERR_ARG, "image spec '%s': size '%s' is not an integer", spec, tok[2]);
  if (n < WASP_IMAGE_MIN_N || n > WASP_IMAGE_MAX_N)
    return wasp_fail(WASP_ERR_ARG, "image spec '%s': size '%s' is out of range; need %d <= n <= %d",
                     spec, tok[2], WASP_IMAGE_MIN_N, WASP_IMAGE_MAX_N);

  bool dirac = strcmp(tok[1], "dirac") == 0, have_seed = false, have_pos = false;
  uint64_t seed = 0;
  int pos[2] = {0, 0};
  for (int k = 3; k < ntok; k++)
    WASP_TRY(parse_option(spec, tok[k], dirac, (int)n, &seed, &have_seed, pos, &have_pos));

  wasp_status s = have_pos ? wasp_image_dirac((int)n, pos[0], pos[1], img)
                           : wasp_image_builtin(tok[1], (int)n, seed, img);
  if (s != WASP_OK) wasp_fail_context(s, "image spec '%s'", spec);
  return s;
}
