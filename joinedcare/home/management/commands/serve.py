"""Serve joinedcare with gunicorn, static files included (WhiteNoise)."""

import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from joinedcare.wsgi import application

        return application


class Command(BaseCommand):
    help = "Run the production web server (gunicorn) with static files."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port")
        parser.add_argument("--workers", type=int, default=3)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="static files are already collected"
        )

    def handle(self, *args, **options) -> None:
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"joinedcare is serving on http://{options['bind']}/ (Ctrl-C stops)")
        _Server(
            {
                "bind": options["bind"],
                "workers": options["workers"],
                "threads": options["threads"],
                "accesslog": "-",
                "logconfig_dict": _redacting_log_config(),
                "post_worker_init": _warm,
            }
        ).run()


def _warm(worker) -> None:
    """Each worker works out the outcomes figures as it starts, off its request threads."""
    from joinedcare.outcomes import figures

    threading.Thread(target=figures.warm, args=(settings.ANALYTICS_DIR,), daemon=True).start()


def _redacting_log_config() -> dict:
    """gunicorn's access log through the same NHS-number redaction as the app's logs."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "joinedcare.home.logging.RedactIdentifiers"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "filters": ["redact"]},
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
