"""Analysis jobs: ORM -> arrays -> spatial_analysis -> derived layer rows, each tied to a run."""

from .runs import create_run, execute_run

__all__ = ["create_run", "execute_run"]
