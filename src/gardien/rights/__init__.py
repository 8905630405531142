"""Executing rights requests across the declared systems (issue 4 §3).

``locate`` finds the people named by many requests at once in every system; ``access`` builds
the Art. 15 access package and the Art. 20 portability package for one request.
"""
