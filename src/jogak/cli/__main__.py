"""``python -m jogak.cli``."""

from jogak.cli import main

main()
