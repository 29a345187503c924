/* Peak resident memory of one command, for the benchmark scripts.
 *
 *   wasp_bench_peak CMD [ARGS...]
 *
 * Runs CMD with stdout and stderr passed through, then writes
 * "peak_rss_kib N" as the last line of stderr and exits with CMD's status.
 *
 * Why not wait4() from Python: a child spawned by the Python script
 * inherits, in its ru_maxrss, the interpreter's own resident size from
 * before its exec (numpy and h5py loaded: ~46 MiB), so every small solve
 * read 46 MiB.  This process is small when it forks, so its child's
 * ru_maxrss is the command's own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  if (argc < 2) {
    fprintf(stderr, "usage: wasp_bench_peak CMD [ARGS...]\n");
    return 2;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "wasp_bench_peak: fork: %s\n", strerror(errno));
    return 2;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    fprintf(stderr, "wasp_bench_peak: %s: %s\n", argv[1], strerror(errno));
    _exit(127);
  }
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0)
    if (errno != EINTR) {
      fprintf(stderr, "wasp_bench_peak: wait4: %s\n", strerror(errno));
      return 2;
    }
  fprintf(stderr, "peak_rss_kib %ld\n", ru.ru_maxrss);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}
