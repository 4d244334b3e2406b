# Runs many `aws` commands in one Python process (started by aws-driver.ts with the interpreter of the `aws`
# script): what the `aws` script does (`sys.exit(awscli.clidriver.main())`) once per request, without paying
# interpreter start-up and the awscli/botocore imports each time.
# Usage: python aws-driver.py <the aws script>. Prints {"ready", "version"} once awscli is imported, then reads
# one JSON request a line on stdin, {"argv": [...], "env": {...}, "cwd": "..."}, and answers each with one
# JSON line {"code", "stdout", "stderr"}.
import io, json, logging, os, sys, traceback, warnings

sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[1]))  # as when the script itself runs
import awscli, awscli.clidriver


def data_dir(module):
    """The `data` folder beside a module's file (awscli's, botocore's)."""
    return os.path.join(os.path.dirname(os.path.abspath(module.__file__)), 'data')


def share_service_lists(loaders):
    """botocore lists the services under its search paths (a few hundred directories, about a third of a command's
    CPU here) once per session, so once per command: kept for the driver's life instead, per search paths and type.
    The directories listed (the installed aws-cli's and botocore's data, ~/.aws/models, AWS_DATA_PATH's) do not
    change during a run; the list is copied, so a caller that changes it changes only its own."""
    loader = getattr(loaders, 'Loader', None)
    if loader is None or not hasattr(loader, 'list_available_services'):
        return
    listing, lists = loader.list_available_services, {}

    def listed(self, type_name):
        key = (tuple(self.search_paths), type_name)
        if key not in lists:
            lists[key] = listing(self, type_name)
        return list(lists[key])

    loader.list_available_services = listed


def share_installed_data(loaders):
    """Each session decodes the JSON files it needs again (endpoints, partitions, the service's model: ~40% of a
    command's CPU here): a file of the installed aws-cli's or botocore's data is decoded once for the driver's life
    instead, as one long-lived botocore session would (its loader hands every client the same decoded object). Files
    elsewhere (~/.aws/models, AWS_DATA_PATH's) are read each time; the debug line of each load is still written."""
    cls = getattr(loaders, 'JSONFileLoader', None)
    if cls is None:
        return
    dirs = (data_dir(loaders) + os.sep, data_dir(awscli) + os.sep)
    exts = tuple(getattr(loaders, '_JSON_OPEN_METHODS', None) or ('.json',))  # v1 also reads .json.gz
    load, decoded = cls.load_file, {}

    def load_file(self, file_path):
        if not os.path.abspath(file_path).startswith(dirs):
            return load(self, file_path)
        if file_path not in decoded:
            full = next((file_path + e for e in exts if os.path.isfile(file_path + e)), None)
            decoded[file_path] = (full, load(self, file_path))
        elif decoded[file_path][1] is not None:
            loaders.logger.debug('Loading JSON file: %s', decoded[file_path][0])
        return decoded[file_path][1]

    cls.load_file = load_file


# botocore's loaders: v1's own botocore, or the copy v2 keeps as awscli.botocore.
for name, module in list(sys.modules.items()):
    if name.endswith('botocore.loaders'):
        share_service_lists(module)
        share_installed_data(module)
proto_in, proto_out = sys.stdin, sys.stdout
DATA = data_dir(awscli)
LOGGERS = [logging.getLogger(n) for n in ('', 'botocore', 'awscli', 's3transfer', 'urllib3')]


def capture(like):
    """A text stream with the encoding and error handling of the real one, over bytes."""
    return io.TextIOWrapper(io.BytesIO(), encoding=like.encoding, errors=like.errors, line_buffering=True)


def exit_code(rc, err):
    """The exit status of `sys.exit(rc)`, as the interpreter would compute it."""
    if rc is None:
        return 0
    if isinstance(rc, int):
        return rc & 0xFF
    print(rc, file=err)
    return 1


def run(argv, env, cwd):
    os.environ.clear()  # exactly this command's environment: nothing leaks from the previous one
    os.environ.update(env)
    os.chdir(cwd)  # relative file:// paths resolve as for a process started there
    if os.environ.get('LC_CTYPE', '') == 'UTF-8':  # as the `aws` script does
        os.environ['LC_CTYPE'] = 'en_US.UTF-8'
    # as importing awscli does (its data path, for the `cli` data and customized models, after the caller's)
    given = os.environ['AWS_DATA_PATH'].split(os.pathsep) if 'AWS_DATA_PATH' in os.environ else []
    os.environ['AWS_DATA_PATH'] = os.pathsep.join([os.path.expanduser(os.path.expandvars(p)) for p in given] + [DATA])
    out, err = capture(proto_out), capture(sys.__stderr__)
    saved = [(lg, lg.handlers[:], lg.level) for lg in LOGGERS]  # --debug adds stream handlers
    sys.argv, sys.stdin, sys.stdout, sys.stderr = ['aws', *argv], io.StringIO(''), out, err
    try:
        with warnings.catch_warnings():  # a warning is shown again by each command, as in a fresh process
            code = exit_code(awscli.clidriver.main(), err)
    except SystemExit as e:  # argparse usage errors and the like
        code = exit_code(e.code, err)
    except BaseException:  # uncaught: the interpreter prints the traceback and exits 1
        traceback.print_exc(file=err)
        code = 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = proto_in, proto_out, sys.__stderr__
        for lg, handlers, level in saved:
            lg.handlers[:] = handlers
            lg.setLevel(level)
    out.flush()
    err.flush()
    text = lambda s: s.buffer.getvalue().decode('utf-8', 'replace')
    return {'code': code, 'stdout': text(out), 'stderr': text(err)}


proto_out.write(json.dumps({'ready': True, 'version': awscli.__version__}) + '\n')
proto_out.flush()
for line in proto_in:
    req = json.loads(line)
    proto_out.write(json.dumps(run(req['argv'], req['env'], req['cwd'])) + '\n')
    proto_out.flush()
