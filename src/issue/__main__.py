"""`python -m issue` is the `issue` command (useful where the console script is not on PATH)."""
from issue.cli import main_entry

if __name__ == "__main__":
    main_entry()
