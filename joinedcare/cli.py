"""`joinedcare`: the project's commands behind one entry point."""

import os
import sys

PROJECT_APPS = "joinedcare."


def _project_commands() -> dict[str, str]:
    from django.core.management import get_commands, load_command_class

    found = {}
    for name, app in sorted(get_commands().items()):
        if app.startswith(PROJECT_APPS) or name in ("migrate", "createsuperuser", "runserver"):
            found[name] = load_command_class(app, name).help.strip().splitlines()[0]
    return found


def _print_help() -> None:
    commands = _project_commands()
    width = max(len(n) for n in commands)
    print("usage: joinedcare COMMAND [options]\n")
    print("joinedcare: integrated health and social care teams around a population.\n")
    print("Commands:")
    for name, text in commands.items():
        print(f"  {name.ljust(width)}  {text}")
    print("\n`joinedcare COMMAND --help` explains one command;")
    print("`joinedcare help --commands` lists every Django command as well.")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedcare.settings")
    argv = list(sys.argv if argv is None else argv)
    import django
    from django.core.management import execute_from_command_line

    if len(argv) < 2 or (argv[1] in ("-h", "--help", "help") and len(argv) == 2):
        django.setup()
        _print_help()
        return
    argv[0] = "joinedcare"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
