//! The exported MPServerless core class (filled in with the MPServerless client).
