import sys; print("e2e: 0 passed, 1 failed")
