//! Handing items to another thread in batches: a channel then costs little per item, and a
//! bounded one keeps memory flat however many items there are.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Items per batch.
pub const SIZE: usize = 256;

/// Batches in flight at most, besides the one being filled and the one being consumed.
const IN_FLIGHT: usize = 4;

/// The sending side; items go in with [`BatchSender::push`], and what is left with
/// [`BatchSender::flush`].
pub struct BatchSender<T> {
    batch: Vec<T>,
    sender: SyncSender<Vec<T>>,
}

/// A bounded channel of batches.
pub fn channel<T>() -> (BatchSender<T>, Receiver<Vec<T>>) {
    let (sender, receiver) = sync_channel(IN_FLIGHT);
    let batch = Vec::with_capacity(SIZE);
    (BatchSender { batch, sender }, receiver)
}

impl<T> BatchSender<T> {
    /// Add an item, sending the batch when it is full; false when the receiver has gone.
    #[must_use]
    pub fn push(&mut self, item: T) -> bool {
        self.batch.push(item);
        self.batch.len() < SIZE || self.flush()
    }

    /// Send what the batch holds; false when the receiver has gone.
    #[must_use]
    pub fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(SIZE));
        self.sender.send(batch).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_arrives_in_order_in_full_batches_then_the_rest() {
        let (mut sender, receiver) = channel();
        let consumer = std::thread::spawn(move || receiver.iter().collect::<Vec<Vec<usize>>>());
        for i in 0..SIZE * 2 + 5 {
            assert!(sender.push(i));
        }
        assert!(sender.flush());
        assert!(sender.flush(), "an empty flush sends nothing and succeeds");
        drop(sender);
        let batches = consumer.join().unwrap();
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, [SIZE, SIZE, 5]);
        let items: Vec<usize> = batches.into_iter().flatten().collect();
        assert_eq!(items, (0..SIZE * 2 + 5).collect::<Vec<_>>());
    }

    #[test]
    fn a_gone_receiver_is_reported() {
        let (mut sender, receiver) = channel();
        drop(receiver);
        let sent: Vec<bool> = (0..SIZE).map(|i| sender.push(i)).collect();
        assert!(
            sent[..SIZE - 1].iter().all(|&ok| ok),
            "nothing is sent before a batch is full"
        );
        assert!(!sent[SIZE - 1]);
    }
}
