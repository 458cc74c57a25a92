"""kaohe（考核）：科技创新行动考核的打分、排名与通报。"""


def __getattr__(name: str):
    # Looked up on first use: importlib.metadata costs tens of milliseconds at every start.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("kaohe")
        except PackageNotFoundError:  # running from a source tree that is not installed
            return "0"
    raise AttributeError(name)
