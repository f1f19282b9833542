"""The storage of uploaded files: Django's file system storage that leaves nothing behind when a write fails.

Django's FileSystemStorage keeps the part of a file written before the disk filled up (or the folder turned
read-only), and raises a bare OSError that the pages would show as a 500. Here the partial file is removed and
the failure becomes a PortalError with a Russian message, which the services' transactions roll back with
(no message row without its file) and which the pages and the API already show.
"""

import errno
import logging
import os

from django.core.files.storage import FileSystemStorage

from portal.exceptions import StorageFull, StorageUnavailable

logger = logging.getLogger(__name__)

NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class PortalFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        # save() chose a free name; the file is created with O_EXCL, so a file found there after a failure is the
        # part this call wrote (names of uploads carry a random part: another writer cannot have taken it).
        existed = os.path.lexists(full_path)
        try:
            return super()._save(name, content)
        except OSError as error:
            if not existed:
                self._remove_partial(full_path)
            logger.error("Uploaded file %s not stored: %s", name, error)
            if error.errno in NO_SPACE:
                raise StorageFull() from error
            raise StorageUnavailable() from error

    @staticmethod
    def _remove_partial(full_path: str) -> None:
        try:
            os.remove(full_path)
        except FileNotFoundError:
            pass
        except OSError as error:  # the folder itself may be what failed
            logger.error("Partial upload %s left behind: %s", full_path, error)
