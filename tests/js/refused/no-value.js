let later;
