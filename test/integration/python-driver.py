# Runs many Python scripts (started by python-driver.ts), each in a child forked from this one process once it has
# imported boto3 and botocore: the child is what `python script.py` would be, without paying interpreter start-up
# and those imports each time. Usage: python python-driver.py. Prints {"ready"} once imported, then reads one JSON
# request a line on stdin, {"path", "env", "cwd", "stdout", "stderr"} (the files the child's output goes to), and
# answers each with {"pid"} once forked and {"code"} (the exit status; minus the signal when one ended it).
import json, os, runpy, sys

import boto3, botocore.session  # noqa: F401  (imported once, before any fork)

proto_out = sys.stdout


def become_script(req):
    """In the child: the script's environment, directory, streams and argv, then the script as __main__."""
    os.environ.clear()  # exactly this script's environment
    os.environ.update(req['env'])
    os.chdir(req['cwd'])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, path in ((1, req['stdout']), (2, req['stderr'])):
        f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(f, fd)
        os.close(f)
    sys.stdin = open(0, closefd=False)  # not the parent's reader, which may hold requests it read ahead
    sys.argv = [req['path']]
    sys.path[0] = os.path.dirname(os.path.abspath(req['path']))  # as for `python script.py`
    # An exception or SystemExit leaves the child's interpreter as it would leave the script's: the same exit status,
    # the traceback on stderr, atexit handlers run and the streams flushed.
    runpy.run_path(req['path'], run_name='__main__')
    sys.exit(0)


proto_out.write(json.dumps({'ready': True, 'boto3': boto3.__version__}) + '\n')
proto_out.flush()
for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        become_script(req)
    proto_out.write(json.dumps({'pid': pid}) + '\n')
    proto_out.flush()
    _, status = os.waitpid(pid, 0)
    proto_out.write(json.dumps({'code': os.waitstatus_to_exitcode(status)}) + '\n')
    proto_out.flush()
