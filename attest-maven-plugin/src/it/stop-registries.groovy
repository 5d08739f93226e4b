// Stops what registries.groovy started.
def pids = new File(basedir, 'registries.pids')
if (pids.exists()) {
  pids.readLines().findAll { it.trim() }.each { pid ->
    ProcessHandle.of(pid.trim() as long).ifPresent { it.destroy() }
  }
}
return true
