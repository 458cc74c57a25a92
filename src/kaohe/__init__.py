"""kaohe（考核）：科技创新行动考核的打分、排名与通报。"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kaohe")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0"
