#!/usr/bin/env python
from treem.cli import main

if __name__ == "__main__":
    main()
