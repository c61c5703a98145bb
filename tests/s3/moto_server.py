"""moto's S3 server on 127.0.0.1, with one lock around every request.

moto checks a PutObject's If-Match / If-None-Match and then stores the object
in two steps without a lock; its threaded server could let two conditional
writes released at the same instant both pass the check. S3 decides a
conditional write atomically, so the tests serialize requests here to get the
same guarantee from the local server.

Usage: python moto_server.py PORT
"""

import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import run_simple


class Serialized:
    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            # the whole body is produced under the lock
            return list(self.app(environ, start_response))


def main():
    port = int(sys.argv[1])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", port, Serialized(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
